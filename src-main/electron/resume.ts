/**
 * After the Mac wakes: SSH links reconnect by themselves, but a VM may have died while asleep and an IDE
 * may have stopped answering. Check at once rather than at the next health round, and reattach any
 * ready workspace whose connection did not come back.
 */
import { powerMonitor } from 'electron';
import type { Core } from '../core.js';

export function recheckAfterWake(core: Core): void {
  powerMonitor.on('resume', () => {
    void (async () => {
      await core.health.checkOnce();
      const detached = core.workspaces
        .list()
        .some((workspace) => workspace.state === 'ready' && !core.guestFor(workspace.runtime).isAttached(workspace.id));
      if (detached) await core.workspaces.reconcile();
    })().catch(() => undefined);
  });
}
