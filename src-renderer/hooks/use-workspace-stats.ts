import { useEffect, useState } from 'react';
import type { InstanceStats, Workspace } from '../../src-shared/workspace.js';
import { useApi } from '../app/app-context.js';
import { useDocumentVisible } from './use-document-visible.js';

export const STATS_INTERVAL_MS = 5000;

/**
 * Live CPU and memory of a running workspace. Runtimes do not push these, so this is the one place the UI
 * polls: only while the workspace is ready, its runtime reports stats and the window is visible.
 */
export function useWorkspaceStats(workspace: Workspace, runtimeHasStats: boolean): InstanceStats | null {
  const api = useApi();
  const visible = useDocumentVisible();
  const [stats, setStats] = useState<InstanceStats | null>(null);
  const active = workspace.state === 'ready' && runtimeHasStats && visible;
  const id = workspace.id;

  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    const poll = () => {
      api.getWorkspaceStats({ id }).then(
        (next) => {
          if (!cancelled) setStats(next);
        },
        () => {
          if (!cancelled) setStats(null);
        },
      );
    };
    poll();
    const timer = setInterval(poll, STATS_INTERVAL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [api, id, active]);

  return active ? stats : null;
}
