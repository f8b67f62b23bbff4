import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import type { WorkspaceState } from '../../../src-shared/workspace.js';
import { createFakeApi } from '../../testing/fake-api.js';
import { makeProgress, makeWorkspace } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';

async function showWorkspace(state: WorkspaceState, extra: Parameters<typeof makeWorkspace>[0] = {}) {
  const workspace = makeWorkspace({ name: 'api-server', state, ...extra });
  const api = createFakeApi({ workspaces: [workspace] });
  const app = await renderApp(api);
  await app.user.click(within(screen.getByRole('navigation', { name: 'Workspaces' })).getByText('api-server'));
  const toolbar = screen.getByRole('toolbar', { name: 'Actions for api-server' });
  const button = (name: string) => within(toolbar).getByRole('button', { name }) as HTMLButtonElement;
  return { ...app, workspace, toolbar, button };
}

describe('workspace actions', () => {
  it.each([
    ['stopped', { start: true, stop: false, terminal: false, delete: true }],
    ['ready', { start: false, stop: true, terminal: true, delete: true }],
    ['error', { start: true, stop: false, terminal: false, delete: true }],
    ['starting', { start: false, stop: false, terminal: false, delete: false }],
    ['deleting', { start: false, stop: false, terminal: false, delete: false }],
  ] as const)('in state %s enables exactly the actions that state allows', async (state, expected) => {
    const { button } = await showWorkspace(state);
    expect({
      start: !button('Start').disabled,
      stop: !button('Stop').disabled,
      terminal: !button('Terminal').disabled,
      delete: !button('Delete…').disabled,
    }).toEqual(expected);
  });

  it('starts and stops the workspace', async () => {
    const { api, user, button, workspace } = await showWorkspace('stopped');
    await user.click(button('Start'));
    expect(api.callsTo('startWorkspace')).toEqual([{ id: workspace.id }]);
    act(() => void api.change(workspace.id, { state: 'ready' }));
    await user.click(button('Stop'));
    expect(api.callsTo('stopWorkspace')).toEqual([{ id: workspace.id }]);
  });

  it('shows a running start with its steps and can cancel it', async () => {
    const { api, user, workspace } = await showWorkspace('stopped');
    act(() => {
      api.change(workspace.id, { state: 'starting' });
      api.emit('progress', makeProgress(workspace.id, { operation: 'start', steps: ['boot', 'address', 'ssh', 'configure', 'ide'], step: 'address' }));
    });
    const progress = screen.getByRole('region', { name: 'Starting “api-server”' });
    expect(within(progress).getByText('Waiting for network')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.callsTo('cancelOperation')).toEqual([{ id: workspace.id }]);
  });
});

describe('error details', () => {
  const detail = 'Error: Failed to run: forklimits limit=memlock:unlimited:unlimited -- /usr/bin/lxc-start: exit status 1';

  it('show the runtime’s own message in a monospace block with Copy', async () => {
    const { user } = await showWorkspace('error', {
      lastError: {
        code: 'RUNTIME_ERROR',
        message: 'Incus could not start “api-server”.',
        hint: 'Open the Logs tab for the container’s console output.',
        detail,
        step: 'boot',
        at: '2026-11-20T10:00:00.000Z',
      },
    });
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText('Failed while booting')).toBeTruthy();
    expect(within(alert).getByText('Incus could not start “api-server”.')).toBeTruthy();
    expect(within(alert).getByText('Open the Logs tab for the container’s console output.')).toBeTruthy();
    const block = within(alert).getByText(detail);
    expect(block.tagName).toBe('PRE');
    expect(block.classList.contains('mono')).toBe(true);

    await user.click(within(alert).getByRole('button', { name: 'Copy error details' }));
    expect(await navigator.clipboard.readText()).toBe(detail);
    expect(within(alert).getByText('Copied')).toBeTruthy();
  });

  it('show why an action was refused', async () => {
    const { api, user, button } = await showWorkspace('stopped');
    api.handle('startWorkspace', async () => {
      throw new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: 'Incus is not available.',
        hint: 'Start it with `sudo systemctl start incus`.',
        detail: 'dial unix /var/lib/incus/unix.socket: connect: no such file or directory',
      });
    });
    await user.click(button('Start'));
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Incus is not available.')).toBeTruthy();
    expect(within(alert).getByText('dial unix /var/lib/incus/unix.socket: connect: no such file or directory')).toBeTruthy();
  });
});

describe('network policy', () => {
  it('edits the allow-list, refusing what is not a CIDR', async () => {
    const { api, user, workspace } = await showWorkspace('ready');
    await user.click(screen.getByRole('button', { name: 'Edit' }));
    const field = screen.getByRole('textbox', { name: 'Allowed networks' });
    await user.type(field, '192.168.1.0/24{Enter}10.8.0.0/33');
    expect(screen.getByText('“10.8.0.0/33”: Use CIDR notation, like 192.168.1.0/24.')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
    await user.type(field, '{Backspace}{Backspace}16');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.callsTo('setNetworkPolicy')).toEqual([{ id: workspace.id, allow: ['192.168.1.0/24', '10.8.0.0/16'] }]);
    expect(await screen.findByText('Isolated, plus 192.168.1.0/24, 10.8.0.0/16')).toBeTruthy();
  });
});
