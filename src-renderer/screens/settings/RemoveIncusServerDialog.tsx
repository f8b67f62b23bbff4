import type { IncusRemote, Settings } from '../../../src-shared/workspace.js';
import { useApi } from '../../app/app-context.js';
import { Dialog } from '../../components/Dialog.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { useAction } from '../../hooks/use-action.js';

/** Forgetting a server; Tidepool refuses (and says which) while workspaces still live there. */
export function RemoveIncusServerDialog({
  remote,
  onRemoved,
  onClose,
}: {
  remote: IncusRemote;
  onRemoved: (settings: Settings) => void;
  onClose: () => void;
}) {
  const api = useApi();
  const remove = useAction(async () => onRemoved(await api.removeIncusRemote({ name: remote.name })));
  return (
    <Dialog title={`Remove “${remote.name}”?`} onClose={remove.pending ? undefined : onClose} size="small" role="alertdialog">
      <p>
        Tidepool forgets the server at <code>{remote.url}</code> and its certificate. Nothing on the server changes; to use it again,
        add it with a new trust token.
      </p>
      {remove.error ? <ErrorDetails error={remove.error} title="The server was not removed" /> : null}
      <div className="dialog-footer">
        <button type="button" className="button" onClick={onClose} disabled={remove.pending} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={() => void remove.run()} disabled={remove.pending}>
          {remove.pending ? 'Removing…' : `Remove ${remote.name}`}
        </button>
      </div>
    </Dialog>
  );
}
