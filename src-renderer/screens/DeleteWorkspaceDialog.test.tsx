import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TidepoolError } from '../../src-shared/errors.js';
import { createFakeApi } from '../testing/fake-api.js';
import { capabilities, incusRuntime, makeWorkspace, readyHost } from '../testing/fixtures.js';
import { renderApp } from '../testing/render-app.js';

async function openDelete(api: ReturnType<typeof createFakeApi>, name: string) {
  const app = await renderApp(api);
  const sidebar = screen.getByRole('navigation', { name: 'Workspaces' });
  await app.user.click(within(sidebar).getByText(name));
  await app.user.click(screen.getByRole('button', { name: 'Delete…' }));
  const dialog = await screen.findByRole('alertdialog', { name: `Delete “${name}”?` });
  return { ...app, dialog };
}

describe('delete confirmation', () => {
  it('names what will be lost and deletes only when confirmed', async () => {
    const workspace = makeWorkspace({ name: 'old-app', runtime: 'incus' });
    const api = createFakeApi({
      workspaces: [workspace],
      host: readyHost({ runtimes: [incusRuntime({ capabilities: capabilities({ separateHome: false }) })] }),
    });
    const { user, dialog } = await openDelete(api, 'old-app');

    expect(dialog.textContent).toContain('The workspace old-app and its Incus container tp-old-app');
    expect(dialog.textContent).toContain('Every file in /home/dev');
    expect(within(dialog).queryByRole('checkbox', { name: 'Keep the home folder' })).toBeNull();
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));

    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(api.callsTo('deleteWorkspace')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Delete…' }));
    const again = await screen.findByRole('alertdialog');
    await user.click(within(again).getByRole('button', { name: 'Delete old-app' }));
    expect(api.callsTo('deleteWorkspace')).toEqual([{ id: workspace.id }]);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('can keep the home folder when the runtime keeps it separately', async () => {
    const workspace = makeWorkspace({ name: 'old-app', runtime: 'incus' });
    const api = createFakeApi({ workspaces: [workspace] });
    const { user, dialog } = await openDelete(api, 'old-app');

    await user.click(within(dialog).getByRole('checkbox', { name: 'Keep the home folder' }));
    expect(dialog.textContent).not.toContain('Every file in /home/dev');
    expect(dialog.textContent).toContain('Everything outside the home folder');
    await user.click(within(dialog).getByRole('button', { name: 'Delete old-app' }));
    expect(api.callsTo('deleteWorkspace')).toEqual([{ id: workspace.id, keepHome: true }]);
  });

  it('keeps the dialog open with the reason when deleting fails', async () => {
    const workspace = makeWorkspace({ name: 'old-app' });
    const api = createFakeApi({ workspaces: [workspace] });
    api.handle('deleteWorkspace', async () => {
      throw new TidepoolError({ code: 'BUSY', message: '“old-app” is busy (start). Wait for it to finish or cancel it.' });
    });
    const { user, dialog } = await openDelete(api, 'old-app');
    await user.click(within(dialog).getByRole('button', { name: 'Delete old-app' }));
    expect(await within(dialog).findByText('“old-app” is busy (start). Wait for it to finish or cancel it.')).toBeTruthy();
  });

  it('is closed with Escape without deleting', async () => {
    const api = createFakeApi({ workspaces: [makeWorkspace({ name: 'old-app' })] });
    const { user } = await openDelete(api, 'old-app');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(api.callsTo('deleteWorkspace')).toEqual([]);
  });
});
