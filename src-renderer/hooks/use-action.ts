import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { toTidepoolError, type TidepoolError } from '../../src-shared/errors.js';

export interface Action<A extends unknown[]> {
  run(...args: A): Promise<boolean>;
  pending: boolean;
  error: TidepoolError | null;
  clearError(): void;
}

/** Runs a user action, tracking whether it is under way and keeping its error for display. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<unknown>): Action<A> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<TidepoolError | null>(null);
  const mounted = useRef(true);
  const latest = useRef(action);
  useLayoutEffect(() => {
    latest.current = action;
  });

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (...args: A) => {
    setPending(true);
    setError(null);
    try {
      await latest.current(...args);
      return true;
    } catch (caught) {
      if (mounted.current) setError(toTidepoolError(caught));
      return false;
    } finally {
      if (mounted.current) setPending(false);
    }
  }, []);

  const clearError = useCallback(() => setError(null), []);
  return { run, pending, error, clearError };
}
