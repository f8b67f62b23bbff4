import { TidepoolError } from '../../src-shared/errors.js';

export function cancelledError(): TidepoolError {
  return new TidepoolError({ code: 'CANCELLED', message: 'The operation was cancelled.' });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

/** Waits `ms`, rejecting with CANCELLED as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Polls `probe` until it returns a value, the deadline passes (null) or the signal aborts. */
export async function pollUntil<T>(
  probe: () => Promise<T | null>,
  options: { timeoutMs: number; intervalMs: number; signal?: AbortSignal },
): Promise<T | null> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    throwIfAborted(options.signal);
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() >= deadline) return null;
    await sleep(Math.min(options.intervalMs, Math.max(0, deadline - Date.now())), options.signal);
  }
}
