import { useEffect, useRef, useState } from 'react';
import { useApi, useApp, useAppStore } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { ProgressSteps } from '../../components/ProgressSteps.js';
import { useAction } from '../../hooks/use-action.js';

/**
 * Creation as it happens: each step with its time, Cancel, and then either the IDE (opened for the user)
 * or the cause of the failure, with the workspace left in the list to inspect, retry or delete.
 */
export function CreateProgress({ workspaceId, name, onClose }: { workspaceId: string; name: string; onClose: () => void }) {
  const api = useApi();
  const { stores } = useApp();
  const workspace = useAppStore('workspaces', (state) => state.byId[workspaceId]);
  const operation = useAppStore('workspaces', (state) => state.operations[workspaceId]);
  const cancel = useAction(() => api.cancelOperation({ id: workspaceId }));
  // Remembered from earlier renders: it existed, so its absence now means creation was rolled back.
  const [seen, setSeen] = useState(false);
  if (workspace && !seen) setSeen(true);
  const container = useRef<HTMLDivElement>(null);
  // The form (and the focused Create button) just went away: keep focus inside the dialog.
  useEffect(() => container.current?.focus(), []);

  const ready = workspace?.state === 'ready';
  useEffect(() => {
    if (!ready) return;
    stores.navigation.getState().openIde(workspaceId);
    onClose();
  }, [ready, stores, workspaceId, onClose]);

  const creating = operation?.progress.operation === 'create' && !operation.progress.done;
  const removed = seen && !workspace;
  const failed = workspace?.state === 'error';

  return (
    <div className="create-progress" ref={container} tabIndex={-1}>
      {operation ? <ProgressSteps view={operation} name={name} showTitle={false} /> : <p className="muted">Preparing “{name}”…</p>}

      {removed ? (
        <p className="notice" role="status">
          Creation was cancelled and everything it had made was removed.
        </p>
      ) : null}

      {failed && workspace.lastError ? (
        <ErrorDetails error={workspace.lastError} title={`“${name}” could not be created`}>
          <p className="muted">The workspace stays in the list so you can look at its logs, retry or delete it.</p>
        </ErrorDetails>
      ) : null}

      {cancel.error ? <ErrorDetails error={cancel.error} title="Could not cancel" /> : null}

      <div className="dialog-footer">
        {creating ? (
          <>
            <button type="button" className="button" onClick={onClose}>
              Hide
            </button>
            <button type="button" className="button button-danger" disabled={cancel.pending} onClick={() => void cancel.run()}>
              {cancel.pending ? 'Cancelling…' : 'Cancel creation'}
            </button>
          </>
        ) : failed ? (
          <>
            <button
              type="button"
              className="button"
              onClick={() => {
                stores.navigation.getState().openLogs(workspaceId);
                onClose();
              }}
            >
              Show logs
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => {
                stores.navigation.getState().navigate({ kind: 'workspace', workspaceId });
                onClose();
              }}
            >
              Show workspace
            </button>
          </>
        ) : (
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        )}
      </div>
    </div>
  );
}
