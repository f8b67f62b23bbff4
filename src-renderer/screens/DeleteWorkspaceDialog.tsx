import { useState } from 'react';
import type { Workspace } from '../../src-shared/workspace.js';
import { useApi, useAppStore } from '../app/app-context.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorDetails } from '../components/ErrorDetails.js';
import { Choice } from '../components/Field.js';
import { findRuntime, kindName, runtimeShortName } from '../components/runtime-info.js';
import { useAction } from '../hooks/use-action.js';

/** Names exactly what deleting loses; nothing is deleted until the clearly labelled button is pressed. */
export function DeleteWorkspaceDialog({ workspace, onClose }: { workspace: Workspace; onClose: () => void }) {
  const api = useApi();
  const status = useAppStore('host', (state) => state.status);
  const tabs = useAppStore('navigation', (state) => state.tabs.filter((tab) => tab.workspaceId === workspace.id).length);
  const separateHome = findRuntime(status, workspace.runtime)?.capabilities?.separateHome ?? false;
  const [keepHome, setKeepHome] = useState(false);
  const remove = useAction(async () => {
    await api.deleteWorkspace(separateHome ? { id: workspace.id, keepHome } : { id: workspace.id });
    onClose();
  });

  return (
    <Dialog title={`Delete “${workspace.name}”?`} onClose={remove.pending ? undefined : onClose} size="small" role="alertdialog">
      <p>This will permanently remove:</p>
      <ul className="loss-list">
        <li>
          The workspace <strong>{workspace.name}</strong> and its {runtimeShortName(workspace.runtime)}{' '}
          {kindName(workspace.kind).toLowerCase()} <code>{workspace.instanceName}</code>
        </li>
        {separateHome && keepHome ? (
          <li>Everything outside the home folder (installed packages, system changes)</li>
        ) : (
          <li>
            Every file in <code>/home/dev</code>: your code, uncommitted and unpushed changes, and settings
          </li>
        )}
        {tabs > 0 ? <li>Its open IDE, terminal and log tabs (running shells end)</li> : null}
      </ul>
      {separateHome ? (
        <Choice
          type="checkbox"
          name="keep-home"
          checked={keepHome}
          onChange={setKeepHome}
          label="Keep the home folder"
          description="Keeps /home/dev so a new workspace can use it later."
        />
      ) : null}
      <p className="muted">This cannot be undone.</p>
      {remove.error ? <ErrorDetails error={remove.error} title="Could not delete" /> : null}
      <div className="dialog-footer">
        <button type="button" className="button" onClick={onClose} disabled={remove.pending} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={() => void remove.run()} disabled={remove.pending}>
          {remove.pending ? 'Deleting…' : `Delete ${workspace.name}`}
        </button>
      </div>
    </Dialog>
  );
}
