import { useCallback } from 'react';
import { useApp, useAppStore } from '../app/app-context.js';
import { CreateWorkspaceDialog } from './create/CreateWorkspaceDialog.js';
import { DeleteWorkspaceDialog } from './DeleteWorkspaceDialog.js';
import { RemoveOrphanDialog } from './RemoveOrphanDialog.js';

/** The one dialog that is open, if any. */
export function DialogHost() {
  const { stores } = useApp();
  const dialog = useAppStore('ui', (state) => state.dialog);
  const workspaces = useAppStore('workspaces', (state) => state.byId);
  const close = useCallback(() => stores.ui.getState().closeDialog(), [stores]);

  if (!dialog) return null;
  if (dialog.kind === 'create') return <CreateWorkspaceDialog onClose={close} />;
  if (dialog.kind === 'remove-orphan') return <RemoveOrphanDialog orphan={dialog.orphan} onClose={close} />;
  const workspace = workspaces[dialog.workspaceId];
  return workspace ? <DeleteWorkspaceDialog workspace={workspace} onClose={close} /> : null;
}
