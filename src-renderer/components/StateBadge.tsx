import type { WorkspaceState } from '../../src-shared/workspace.js';

const LABELS: Record<WorkspaceState, string> = {
  creating: 'Creating',
  starting: 'Starting',
  configuring: 'Configuring',
  ready: 'Running',
  stopping: 'Stopping',
  stopped: 'Stopped',
  deleting: 'Deleting',
  error: 'Error',
};

const TONES: Record<WorkspaceState, 'green' | 'grey' | 'blue' | 'red'> = {
  creating: 'blue',
  starting: 'blue',
  configuring: 'blue',
  ready: 'green',
  stopping: 'blue',
  stopped: 'grey',
  deleting: 'blue',
  error: 'red',
};

export function stateLabel(state: WorkspaceState): string {
  return LABELS[state];
}

/** A workspace's state as colour and words (the colour is never the only signal). */
export function StateBadge({ state }: { state: WorkspaceState }) {
  return (
    <span className={`badge badge-${TONES[state]}`} data-state={state}>
      <span className="badge-dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
