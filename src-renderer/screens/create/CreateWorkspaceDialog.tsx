import { useState } from 'react';
import { useAppStore } from '../../app/app-context.js';
import { Dialog } from '../../components/Dialog.js';
import { CreateForm } from './CreateForm.js';
import { CreateProgress } from './CreateProgress.js';

/** New workspace: the form, then the same dialog follows the creation until the IDE opens. */
export function CreateWorkspaceDialog({ onClose }: { onClose: () => void }) {
  const [created, setCreated] = useState<{ id: string; name: string } | null>(null);
  const failed = useAppStore('workspaces', (state) => (created ? state.byId[created.id]?.state === 'error' : false));
  const title = !created ? 'New workspace' : failed ? `Could not create “${created.name}”` : `Creating “${created.name}”`;
  return (
    <Dialog title={title} onClose={onClose} size="large">
      {created ? (
        <CreateProgress workspaceId={created.id} name={created.name} onClose={onClose} />
      ) : (
        <CreateForm onCreated={(workspace) => setCreated({ id: workspace.id, name: workspace.name })} onCancel={onClose} />
      )}
    </Dialog>
  );
}
