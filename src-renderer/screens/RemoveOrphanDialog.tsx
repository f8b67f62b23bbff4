import type { OrphanInstance } from '../../src-shared/workspace.js';
import { useApi, useApp } from '../app/app-context.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorDetails } from '../components/ErrorDetails.js';
import { runtimeShortName } from '../components/runtime-info.js';
import { useAction } from '../hooks/use-action.js';
import { loadOrphans } from '../state/host-actions.js';

export function RemoveOrphanDialog({ orphan, onClose }: { orphan: OrphanInstance; onClose: () => void }) {
  const api = useApi();
  const { stores } = useApp();
  const remove = useAction(async () => {
    await api.removeOrphan({ runtime: orphan.runtime, instanceName: orphan.instanceName });
    await loadOrphans(api, stores.host);
    onClose();
  });
  return (
    <Dialog title={`Remove ${orphan.instanceName}?`} onClose={remove.pending ? undefined : onClose} size="small" role="alertdialog">
      <p>
        This deletes the {runtimeShortName(orphan.runtime)} instance <code>{orphan.instanceName}</code>
        {orphan.running ? ' (it is running and will be stopped first)' : ''}, with every file in it. This cannot be undone.
      </p>
      {remove.error ? <ErrorDetails error={remove.error} title="Could not remove it" /> : null}
      <div className="dialog-footer">
        <button type="button" className="button" onClick={onClose} disabled={remove.pending} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={() => void remove.run()} disabled={remove.pending}>
          {remove.pending ? 'Removing…' : `Remove ${orphan.instanceName}`}
        </button>
      </div>
    </Dialog>
  );
}
