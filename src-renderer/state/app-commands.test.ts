import { describe, expect, it } from 'vitest';
import { makeWorkspace } from '../testing/fixtures.js';
import { activeTab } from './navigation-store.js';
import { applyAppCommand } from './app-commands.js';
import { createStores } from './stores.js';

describe('app commands from the desktop shell', () => {
  it('opens the create dialog, unless another dialog is open', () => {
    const stores = createStores();
    applyAppCommand(stores, { command: 'newWorkspace' });
    expect(stores.ui.getState().dialog).toEqual({ kind: 'create' });
    stores.ui.getState().openDialog({ kind: 'delete', workspaceId: 'x' });
    applyAppCommand(stores, { command: 'newWorkspace' });
    expect(stores.ui.getState().dialog).toEqual({ kind: 'delete', workspaceId: 'x' });
  });

  it('brings a known workspace’s IDE tab forward', () => {
    const stores = createStores();
    const workspace = makeWorkspace();
    stores.workspaces.getState().upsert(workspace);
    applyAppCommand(stores, { command: 'focusWorkspace', id: workspace.id });
    expect(activeTab(stores.navigation.getState())).toMatchObject({ kind: 'ide', workspaceId: workspace.id });
    applyAppCommand(stores, { command: 'focusWorkspace', id: 'unknown' });
    expect(stores.navigation.getState().tabs).toHaveLength(1);
  });

  it('cycles tabs, but not behind a dialog', () => {
    const stores = createStores();
    const first = stores.navigation.getState().openIde('a');
    stores.navigation.getState().openLogs('a');
    applyAppCommand(stores, { command: 'cycleTab', direction: 1 });
    expect(activeTab(stores.navigation.getState())?.id).toBe(first.id);
    const release = stores.ui.getState().holdOverlay();
    applyAppCommand(stores, { command: 'cycleTab', direction: 1 });
    expect(activeTab(stores.navigation.getState())?.id).toBe(first.id);
    release();
  });
});
