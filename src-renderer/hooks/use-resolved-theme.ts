import { useSyncExternalStore } from 'react';
import type { Settings } from '../../src-shared/workspace.js';

const QUERY = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => undefined;
  const media = window.matchMedia(QUERY);
  media.addEventListener('change', onChange);
  return () => media.removeEventListener('change', onChange);
}

function systemIsDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(QUERY).matches;
}

/** Light or dark, from the theme setting and (for “system”) the operating system's appearance. */
export function useResolvedTheme(theme: Settings['theme'] | undefined): 'light' | 'dark' {
  const dark = useSyncExternalStore(subscribe, systemIsDark);
  if (theme === 'light' || theme === 'dark') return theme;
  return dark ? 'dark' : 'light';
}
