import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HostStatus } from '../../../src-shared/workspace.js';
import { SIMULATED_LABEL } from '../../components/SimulatedBadge.js';
import { createFakeApi } from '../../testing/fake-api.js';
import { incusRuntime, readyHost, simulatedRuntime } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';

const linuxWithoutIncus: HostStatus = { platform: 'linux', runtimes: [], selected: null, selectedBy: 'none', ready: false };

describe('onboarding', () => {
  it('on Linux without Incus shows the exact set-up command with Copy', async () => {
    const { user } = await renderApp(createFakeApi({ host: linuxWithoutIncus, images: [] }));
    expect(screen.getByRole('heading', { name: 'Set up Tidepool' })).toBeTruthy();
    const card = screen.getByRole('region', { name: 'Incus' });
    expect(within(card).getByText('sudo scripts/setup-incus.sh')).toBeTruthy();
    await user.click(within(card).getByRole('button', { name: 'Copy Incus set-up command' }));
    expect(await navigator.clipboard.readText()).toBe('sudo scripts/setup-incus.sh');
  });

  it('on Linux shows no card for a Tart that is not there, unless Tart was chosen', async () => {
    const tart = { ...incusRuntime(), id: 'tart' as const, displayName: 'Tart', available: false, capabilities: null, setup: [{ id: 'install', title: 'Install Tart', ok: false }] };
    const { user } = await renderApp(createFakeApi({ host: { platform: 'linux', runtimes: [incusRuntime(), tart], selected: 'incus', selectedBy: 'auto', ready: true } }));
    await user.click(screen.getByRole('button', { name: /Set-up/ }));
    expect(screen.getByRole('region', { name: /Incus/ })).toBeTruthy();
    expect(screen.queryByRole('region', { name: /Tart/ })).toBeNull();
    cleanup();
    await renderApp(createFakeApi({ host: { platform: 'linux', runtimes: [incusRuntime(), tart], selected: 'tart', selectedBy: 'flag', ready: false } }));
    expect(screen.getByRole('region', { name: /Tart/ })).toBeTruthy();
  });

  it('on macOS without Tart shows the Tart install command', async () => {
    await renderApp(createFakeApi({ host: { ...linuxWithoutIncus, platform: 'darwin' }, images: [] }));
    expect(within(screen.getByRole('region', { name: 'Tart' })).getByText('brew install openai/tools/tart')).toBeTruthy();
    expect(screen.queryByText('sudo scripts/setup-incus.sh')).toBeNull();
  });

  it('lists each runtime’s set-up steps with what is wrong and the command that fixes it', async () => {
    const host: HostStatus = {
      platform: 'linux',
      runtimes: [
        incusRuntime({
          available: true,
          setup: [
            { id: 'daemon', title: 'Incus is running', ok: true },
            {
              id: 'group',
              title: 'You can use Incus without sudo',
              ok: false,
              detail: 'Your user is not in the incus-admin group.',
              command: 'sudo usermod -aG incus-admin $USER && newgrp incus-admin',
            },
          ],
        }),
      ],
      selected: 'incus',
      selectedBy: 'auto',
      ready: false,
    };
    await renderApp(createFakeApi({ host }));
    const card = screen.getByRole('region', { name: /Incus/ });
    const steps = within(card).getAllByRole('listitem');
    expect(steps[0]!.textContent).toContain('Incus is running — done');
    expect(steps[1]!.textContent).toContain('You can use Incus without sudo — needs attention');
    expect(within(steps[1]!).getByText('Your user is not in the incus-admin group.')).toBeTruthy();
    expect(within(steps[1]!).getByText('sudo usermod -aG incus-admin $USER && newgrp incus-admin')).toBeTruthy();
    expect(within(card).getByText('Needs set-up')).toBeTruthy();
  });

  it('says what chose the runtime: --runtime, Settings, or Tidepool itself', async () => {
    for (const [selectedBy, words] of [
      ['flag', 'chosen with --runtime when Tidepool started'],
      ['setting', 'chosen in Settings'],
      ['auto', 'chosen automatically'],
    ] as const) {
      const host: HostStatus = { platform: 'linux', runtimes: [incusRuntime({ available: true, setup: [{ id: 'group', title: 'Use Incus without sudo', ok: false }] })], selected: 'incus', selectedBy, ready: false };
      await renderApp(createFakeApi({ host }));
      expect(within(screen.getByRole('region', { name: /Incus/ })).getByText(`New workspaces use this runtime (${words}).`)).toBeTruthy();
      cleanup();
    }
  });

  it('checks again on request and moves on once the computer is ready', async () => {
    const api = createFakeApi({ host: linuxWithoutIncus, images: [] });
    const { user } = await renderApp(api);
    api.state.host = readyHost();
    await user.click(screen.getByRole('button', { name: 'Check again' }));
    expect(api.callsTo('getHostStatus').at(-1)).toEqual({ refresh: true });
    expect(await screen.findByRole('button', { name: 'Create your first workspace' })).toBeTruthy();
  });

  it('follows hostChanged events without being asked', async () => {
    const api = createFakeApi({ host: linuxWithoutIncus, images: [] });
    await renderApp(api);
    act(() => api.emit('hostChanged', readyHost()));
    expect(await screen.findByText('Welcome to Tidepool')).toBeTruthy();
  });

  it('builds a missing image with its output streamed in', async () => {
    const host: HostStatus = { ...readyHost(), ready: false };
    const api = createFakeApi({ host, images: [] });
    const { user } = await renderApp(api);
    const card = screen.getByRole('region', { name: /Incus/ });
    expect(await within(card).findByText(/Not built yet/)).toBeTruthy();

    let finish: () => void = () => undefined;
    api.handle('buildImage', () => new Promise((resolve) => (finish = () => resolve(null))));
    await user.click(within(card).getByRole('button', { name: 'Build image' }));
    expect(api.callsTo('buildImage')).toEqual([{ runtime: 'incus' }]);
    expect((within(card).getByRole('button', { name: 'Building…' }) as HTMLButtonElement).disabled).toBe(true);

    act(() => {
      api.emit('imageProgress', { runtime: 'incus', phase: 'Installing packages', line: 'Installing packages', done: false, failed: false });
      api.emit('imageProgress', { runtime: 'incus', phase: 'Installing packages', line: 'Setting up git (1:2.39.5-0+deb12u2) ...', done: false, failed: false });
    });
    const output = within(card).getByRole('log', { name: 'Image build output for Incus' });
    expect(output.textContent).toContain('Setting up git (1:2.39.5-0+deb12u2) ...');
    expect(within(card).getByText('Building: Installing packages')).toBeTruthy();

    api.state.images = [{ runtime: 'incus', ref: 'tidepool/0.1.0', version: '0.1.0', current: true, sizeBytes: null, createdAt: null }];
    act(() => {
      api.emit('imageProgress', { runtime: 'incus', phase: 'done', line: 'Image ready.', done: true, failed: false });
      finish();
    });
    expect(await within(card).findByText(/is ready/)).toBeTruthy();
  });

  it('offers the simulated runtime, clearly labelled, when nothing real is set up', async () => {
    const api = createFakeApi({ host: { ...linuxWithoutIncus, runtimes: [simulatedRuntime()] }, images: [] });
    const { user } = await renderApp(api);
    expect(screen.getAllByText(SIMULATED_LABEL).length).toBeGreaterThanOrEqual(1);
    api.state.host = { ...linuxWithoutIncus, runtimes: [simulatedRuntime()], selected: 'simulated', selectedBy: 'setting', ready: true };
    await user.click(screen.getByRole('button', { name: 'Use the simulated runtime' }));
    expect(api.callsTo('updateSettings')).toEqual([{ runtime: 'simulated' }]);
    await waitFor(() => expect(screen.getByText('Welcome to Tidepool')).toBeTruthy());
  });
});

describe('empty state', () => {
  it('says what Tidepool does and starts the first workspace', async () => {
    const { user } = await renderApp(createFakeApi());
    expect(screen.getByText(/gives each of your projects its own isolated workspace/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Create your first workspace' }));
    expect(screen.getByRole('dialog', { name: 'New workspace' })).toBeTruthy();
  });
});

describe('runtime choice', () => {
  it('offers a ready runtime when the chosen one is not available', async () => {
    const host: HostStatus = {
      platform: 'linux',
      runtimes: [incusRuntime(), { ...incusRuntime(), id: 'tart', displayName: 'Tart', available: false, capabilities: null, setup: [{ id: 'install', title: 'Install Tart', ok: false, command: 'brew install openai/tools/tart' }] }],
      selected: 'tart',
      selectedBy: 'setting',
      ready: false,
    };
    const api = createFakeApi({ host });
    const { user } = await renderApp(api);
    api.state.host = readyHost();
    await user.click(screen.getByRole('button', { name: 'Use Incus for new workspaces' }));
    expect(api.callsTo('updateSettings')).toEqual([{ runtime: 'incus' }]);
    expect(await screen.findByText('Welcome to Tidepool')).toBeTruthy();
  });
});
