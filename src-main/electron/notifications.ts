/** System notifications for long operations that end while Tidepool's window is not in front. */
import { Notification } from 'electron';
import type { Core } from '../core.js';
import { operationNotice } from './operation-notice.js';

export function notifyOperationEnds(core: Core, windowFocused: () => boolean, open: (workspaceId: string) => void): () => void {
  // Names as the operation began: after a delete the record is gone.
  const names = new Map<string, string>();
  // Notifications must stay referenced until shown and clicked, or a click may never arrive.
  const shown = new Set<Notification>();
  const offChanged = core.events.on('workspaceChanged', (workspace) => names.set(workspace.id, workspace.name));
  const offProgress = core.events.on('progress', (progress) => {
    const workspace = core.workspaces.list().find((candidate) => candidate.id === progress.workspaceId);
    const name = workspace?.name ?? names.get(progress.workspaceId);
    if (!name || !Notification.isSupported()) return;
    const notice = operationNotice(progress, name, workspace, windowFocused());
    if (!notice) return;
    const notification = new Notification({ title: notice.title, body: notice.body });
    shown.add(notification);
    notification.on('click', () => {
      shown.delete(notification);
      if (workspace) open(workspace.id);
    });
    notification.on('close', () => shown.delete(notification));
    notification.show();
  });
  return () => {
    offChanged();
    offProgress();
  };
}
