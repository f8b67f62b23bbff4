import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../src-shared/workspace.js';
import { createFakeApi, type FakeApi } from '../../testing/fake-api.js';
import { SERVER_FINGERPRINT, defaultSettings, incusRemote, makeWorkspace, readyHost, trustToken } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';

async function openSettings(api: FakeApi = createFakeApi()) {
  const app = await renderApp(api);
  await app.user.click(screen.getByRole('button', { name: 'Settings' }));
  await screen.findByRole('heading', { name: 'Settings' });
  return app;
}

function section(): HTMLElement {
  return screen.getByRole('region', { name: 'Incus servers' });
}

function servers(): HTMLElement {
  return within(section()).getByRole('group', { name: 'Create new workspaces on' });
}

function radio(name: string | RegExp): HTMLInputElement {
  return within(servers()).getByRole('radio', { name }) as HTMLInputElement;
}

function form(): HTMLElement {
  return within(section()).getByRole('form', { name: 'Add an Incus server' });
}

function withRemotes(incus: Partial<Settings['incus']>): Settings {
  return defaultSettings({ incus: { socketPath: null, remotes: [], activeRemote: null, ...incus } });
}

describe('Incus servers in Settings', () => {
  it('adds a server with the typed values, lists it with its address and pinned certificate, and creates there from then on', async () => {
    const { api, user } = await openSettings();
    expect(radio('This computer').checked).toBe(true);

    await user.click(within(section()).getByRole('button', { name: 'Add server…' }));
    const add = form();
    expect(within(add).getByText('incus config trust add tidepool')).toBeTruthy();
    expect(within(add).getByRole('button', { name: 'Copy command' })).toBeTruthy();
    const submit = within(add).getByRole('button', { name: 'Add server' }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);

    const token = trustToken({ addresses: ['10.0.0.5:8443'] });
    await user.type(within(add).getByRole('textbox', { name: 'Name' }), 'team-server');
    await user.click(within(add).getByRole('textbox', { name: 'Trust token' }));
    await user.paste(token);
    await user.click(within(add).getByText('Advanced'));
    await user.type(within(add).getByRole('textbox', { name: 'Server address (optional)' }), 'https://incus.example.com');
    expect((within(add).getByRole('checkbox', { name: 'Create new workspaces there' }) as HTMLInputElement).checked).toBe(true);
    await user.click(submit);

    expect(api.callsTo('addIncusRemote')).toEqual([{ name: 'team-server', token, url: 'https://incus.example.com', use: true }]);
    await waitFor(() => expect(within(section()).queryByRole('form')).toBeNull());
    expect(within(section()).getByRole('status').textContent).toBe('Added “team-server”.');
    expect(radio(/^team-server/).checked).toBe(true);
    expect(radio('This computer').checked).toBe(false);
    const item = radio(/^team-server/).closest('li')!;
    expect(item.textContent).toContain('https://incus.example.com:8443');
    const fingerprint = within(item).getByText(`${SERVER_FINGERPRINT.slice(0, 16)}…`);
    expect(fingerprint.getAttribute('title')).toBe(`SHA-256 ${SERVER_FINGERPRINT}`);

    // The next workspace goes to the server just chosen.
    const created = await act(() => api.createWorkspace({ name: 'on-the-server', runtime: 'incus' }));
    expect(created.location).toBe('team-server');
  });

  it('keeps everything typed when the server refuses, with the message, the hint and the field’s own error', async () => {
    const { api, user } = await openSettings();
    await user.click(within(section()).getByRole('button', { name: 'Add server…' }));
    const add = form();
    await user.type(within(add).getByRole('textbox', { name: 'Name' }), 'team-server');
    await user.type(within(add).getByRole('textbox', { name: 'Trust token' }), 'hello there');
    await user.click(within(add).getByRole('checkbox', { name: 'Create new workspaces there' }));
    await user.click(within(add).getByRole('button', { name: 'Add server' }));

    const alert = await within(add).findByRole('alert');
    expect(alert.textContent).toContain('That is not an Incus trust token.');
    expect(alert.textContent).toContain('On the server, run `incus config trust add tidepool`');
    const tokenBox = within(add).getByRole('textbox', { name: 'Trust token' }) as HTMLTextAreaElement;
    expect(tokenBox.getAttribute('aria-invalid')).toBe('true');
    expect(within(add).getByText('Not an Incus trust token.')).toBeTruthy();
    expect(tokenBox.value).toBe('hello there');
    expect((within(add).getByRole('textbox', { name: 'Name' }) as HTMLInputElement).value).toBe('team-server');
    expect((within(add).getByRole('checkbox', { name: 'Create new workspaces there' }) as HTMLInputElement).checked).toBe(false);
    expect(api.state.settings.incus.remotes).toEqual([]);
    expect(within(servers()).getAllByRole('radio')).toHaveLength(1);

    // Editing the token clears its error; the retry sends the name and choice as they were typed.
    await user.clear(tokenBox);
    expect(within(add).queryByText('Not an Incus trust token.')).toBeNull();
    const token = trustToken();
    await user.paste(token);
    await user.click(within(add).getByRole('button', { name: 'Add server' }));
    await waitFor(() => expect(within(section()).queryByRole('form')).toBeNull());
    expect(api.callsTo('addIncusRemote').at(-1)).toEqual({ name: 'team-server', token, use: false });
    expect(radio(/^team-server/).checked).toBe(false);
    expect(radio('This computer').checked).toBe(true);
  });

  it('opens Advanced to show the address error when the token does not say where the server is', async () => {
    const { api, user } = await openSettings();
    await user.click(within(section()).getByRole('button', { name: 'Add server…' }));
    const add = form();
    const advanced = add.querySelector('details')!;
    expect(advanced.open).toBe(false);
    await user.type(within(add).getByRole('textbox', { name: 'Name' }), 'behind-nat');
    await user.click(within(add).getByRole('textbox', { name: 'Trust token' }));
    await user.paste(trustToken({ addresses: [] }));
    await user.click(within(add).getByRole('button', { name: 'Add server' }));

    await within(add).findByText('Needed for this token.');
    expect(advanced.open).toBe(true);
    expect(within(add).getByRole('textbox', { name: 'Server address (optional)' }).getAttribute('aria-invalid')).toBe('true');
    expect(within(add).getByRole('alert').textContent).toContain('The trust token does not say where the server is.');

    await user.type(within(add).getByRole('textbox', { name: 'Server address (optional)' }), '203.0.113.7');
    await user.click(within(add).getByRole('button', { name: 'Add server' }));
    await waitFor(() => expect(api.state.settings.incus.remotes.map((remote) => remote.url)).toEqual(['https://203.0.113.7:8443']));
  });

  it('says so when the server does not accept the token (a token works once)', async () => {
    const token = trustToken();
    const api = createFakeApi();
    await api.addIncusRemote({ name: 'first', token });
    const { user } = await openSettings(api);
    await user.click(within(section()).getByRole('button', { name: 'Add server…' }));
    const add = form();
    await user.type(within(add).getByRole('textbox', { name: 'Name' }), 'second');
    await user.click(within(add).getByRole('textbox', { name: 'Trust token' }));
    await user.paste(token);
    await user.click(within(add).getByRole('button', { name: 'Add server' }));

    const alert = await within(add).findByRole('alert');
    expect(alert.textContent).toContain('did not accept the trust token');
    expect(alert.textContent).toContain('create a new one');
    expect(api.state.settings.incus.remotes.map((remote) => remote.name)).toEqual(['first']);
  });

  it('refuses a name already added before asking the server', async () => {
    const { api, user } = await openSettings(createFakeApi({ settings: withRemotes({ remotes: [incusRemote()] }) }));
    await user.click(within(section()).getByRole('button', { name: 'Add server…' }));
    const add = form();
    await user.type(within(add).getByRole('textbox', { name: 'Name' }), 'team-server');
    await user.click(within(add).getByRole('textbox', { name: 'Trust token' }));
    await user.paste(trustToken());
    expect(within(add).getByText('“team-server” is already added.')).toBeTruthy();
    expect((within(add).getByRole('button', { name: 'Add server' }) as HTMLButtonElement).disabled).toBe(true);
    expect(api.callsTo('addIncusRemote')).toEqual([]);
  });

  it('shows that it is contacting the server until it answers', async () => {
    const api = createFakeApi();
    let answer: (settings: Settings) => void = () => undefined;
    api.handle('addIncusRemote', () => new Promise<Settings>((resolve) => (answer = resolve)));
    const { user } = await openSettings(api);
    await user.click(within(section()).getByRole('button', { name: 'Add server…' }));
    const add = form();
    await user.type(within(add).getByRole('textbox', { name: 'Name' }), 'slow-server');
    await user.type(within(add).getByRole('textbox', { name: 'Trust token' }), 'abc');
    await user.click(within(add).getByRole('button', { name: 'Add server' }));

    const pending = within(add).getByRole('button', { name: 'Adding…' }) as HTMLButtonElement;
    expect(pending.disabled).toBe(true);
    expect((within(add).getByRole('button', { name: 'Cancel' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(add).getByRole('status').textContent).toContain('Contacting the server');

    act(() => answer(withRemotes({ remotes: [incusRemote({ name: 'slow-server' })] })));
    await waitFor(() => expect(within(section()).queryByRole('form')).toBeNull());
    expect(radio(/^slow-server/)).toBeTruthy();
  });

  it('chooses where new workspaces are created', async () => {
    const settings = withRemotes({ remotes: [incusRemote(), incusRemote({ name: 'lab', url: 'https://198.51.100.20:8443' })], activeRemote: 'team-server' });
    const { api, user } = await openSettings(createFakeApi({ settings }));
    expect(radio(/^team-server/).checked).toBe(true);

    await user.click(radio('This computer'));
    await waitFor(() => expect(radio('This computer').checked).toBe(true));
    await user.click(radio(/^lab/));
    await waitFor(() => expect(radio(/^lab/).checked).toBe(true));
    expect(api.callsTo('useIncusRemote')).toEqual([{ name: null }, { name: 'lab' }]);
    expect(api.state.settings.incus.activeRemote).toBe('lab');
  });

  it('removes a server only after confirmation', async () => {
    const settings = withRemotes({ remotes: [incusRemote(), incusRemote({ name: 'lab' })], activeRemote: 'lab' });
    const { api, user } = await openSettings(createFakeApi({ settings }));

    await user.click(within(section()).getByRole('button', { name: 'Remove lab…' }));
    let dialog = screen.getByRole('alertdialog', { name: 'Remove “lab”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(api.callsTo('removeIncusRemote')).toEqual([]);

    await user.click(within(section()).getByRole('button', { name: 'Remove lab…' }));
    dialog = screen.getByRole('alertdialog', { name: 'Remove “lab”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove lab' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(api.callsTo('removeIncusRemote')).toEqual([{ name: 'lab' }]);
    expect(within(servers()).queryByRole('radio', { name: /^lab/ })).toBeNull();
    // It was where new workspaces went: this computer takes over.
    expect(radio('This computer').checked).toBe(true);
    expect(within(section()).getByRole('status').textContent).toBe('Removed “lab”.');
  });

  it('shows why a server cannot be removed while workspaces live there, and keeps it', async () => {
    const api = createFakeApi({
      settings: withRemotes({ remotes: [incusRemote()] }),
      workspaces: [makeWorkspace({ name: 'web-api', location: 'team-server' })],
    });
    const { user } = await openSettings(api);
    expect(radio(/^team-server/).closest('li')!.textContent).toContain('1 workspace lives here.');

    await user.click(within(section()).getByRole('button', { name: 'Remove team-server…' }));
    const dialog = screen.getByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Remove team-server' }));

    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('A workspace lives on “team-server”: web-api.');
    expect(alert.textContent).toContain('Delete them first');
    expect(api.state.settings.incus.remotes.map((remote) => remote.name)).toEqual(['team-server']);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(radio(/^team-server/)).toBeTruthy();
  });

  it('is offered on a Mac with Tart only: teams run Incus on Linux servers', async () => {
    await openSettings(createFakeApi({ host: readyHost({ platform: 'darwin', runtimes: [], selected: null, ready: false }) }));
    expect(within(section()).getByText(/A Mac has no Incus of its own/)).toBeTruthy();
  });

  it('is left out where Incus has no place and no server was added', async () => {
    await openSettings(createFakeApi({ host: readyHost({ platform: 'other', runtimes: [], selected: null, ready: false }) }));
    expect(screen.queryByRole('region', { name: 'Incus servers' })).toBeNull();
  });
});
