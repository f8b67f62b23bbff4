import { useApi } from '../app/app-context.js';
import { useAction } from '../hooks/use-action.js';
import { CANCELLABLE_OPERATIONS } from '../screens/workspace/workspace-actions.js';
import type { OperationView } from '../state/workspaces-store.js';
import { ErrorDetails } from './ErrorDetails.js';
import { ProgressSteps } from './ProgressSteps.js';

/** A workspace's running operation: its steps, Cancel where the operation can be undone, and why a cancel failed. */
export function OperationProgress({ workspaceId, name, operation }: { workspaceId: string; name: string; operation: OperationView }) {
  const api = useApi();
  const cancel = useAction(() => api.cancelOperation({ id: workspaceId }));
  return (
    <>
      <ProgressSteps view={operation} name={name} />
      {CANCELLABLE_OPERATIONS.includes(operation.progress.operation) ? (
        <div className="button-row">
          <button type="button" className="button" disabled={cancel.pending} onClick={() => void cancel.run()}>
            {cancel.pending ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      ) : null}
      {cancel.error ? <ErrorDetails error={cancel.error} title="Could not cancel" /> : null}
    </>
  );
}
