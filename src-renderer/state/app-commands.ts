/** What the desktop app's menu, tray and IDE-view shortcuts ask the UI to do (the `appCommand` event). */
import type { AppCommand } from '../../src-shared/contract.js';
import type { Stores } from './stores.js';

export function applyAppCommand(stores: Stores, command: AppCommand): void {
  const ui = stores.ui.getState();
  const navigation = stores.navigation.getState();
  switch (command.command) {
    case 'newWorkspace':
      // Never replace a dialog the user is in the middle of.
      if (!ui.dialog) ui.openDialog({ kind: 'create' });
      return;
    case 'focusWorkspace':
      if (stores.workspaces.getState().byId[command.id]) navigation.openIde(command.id);
      return;
    case 'cycleTab':
      if (ui.overlays === 0) navigation.cycle(command.direction);
      return;
  }
}
