import { useAppStore } from '../app/app-context.js';
import { EmptyState } from './EmptyState.js';
import { OverviewScreen } from './OverviewScreen.js';
import { SetupScreen } from './setup/SetupScreen.js';

/** Onboarding until the computer is ready, then a welcome for a new user, else the overview. */
export function HomeScreen() {
  const status = useAppStore('host', (state) => state.status);
  const loaded = useAppStore('workspaces', (state) => state.loaded);
  const count = useAppStore('workspaces', (state) => state.list.length);
  const loadError = useAppStore('status', (state) => state.loadError);

  if (!status || !loaded) return loadError ? null : <div className="screen muted">Loading…</div>;
  if (!status.ready && count === 0) return <SetupScreen onboarding />;
  if (count === 0) return <EmptyState />;
  return <OverviewScreen />;
}
