/** Which actions a workspace allows in its current state (the core refuses the rest as busy or invalid). */
import { BUSY_STATES, type OperationKind, type Workspace } from '../../../src-shared/workspace.js';

export const CANCELLABLE_OPERATIONS: readonly OperationKind[] = ['create', 'start', 'open'];

export interface AllowedActions {
  open: boolean;
  terminal: boolean;
  start: boolean;
  stop: boolean;
  delete: boolean;
}

export function allowedActions(workspace: Workspace, operationRunning: boolean): AllowedActions {
  const busy = operationRunning || BUSY_STATES.includes(workspace.state);
  return {
    open: !busy || workspace.state === 'starting' || workspace.state === 'configuring',
    terminal: workspace.state === 'ready' && !busy,
    start: !busy && (workspace.state === 'stopped' || workspace.state === 'error'),
    stop: !busy && workspace.state === 'ready',
    delete: !busy,
  };
}
