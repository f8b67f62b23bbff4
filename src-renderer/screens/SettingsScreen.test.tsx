import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeApi } from '../testing/fake-api.js';
import { incusRuntime, readyHost, simulatedRuntime } from '../testing/fixtures.js';
import { renderApp } from '../testing/render-app.js';
import { SIMULATED_LABEL } from '../components/SimulatedBadge.js';

async function openSettings(api = createFakeApi()) {
  const app = await renderApp(api);
  await app.user.click(screen.getByRole('button', { name: 'Settings' }));
  await screen.findByRole('heading', { name: 'Settings' });
  return app;
}

describe('settings', () => {
  it('applies the theme at once and pins the page’s colour scheme', async () => {
    const { api, user } = await openSettings();
    expect(document.documentElement.dataset.theme).toBeUndefined();
    await user.click(screen.getByRole('radio', { name: 'Dark' }));
    expect(api.callsTo('updateSettings')).toEqual([{ theme: 'dark' }]);
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    await user.click(screen.getByRole('radio', { name: 'Match the system' }));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBeUndefined());
  });

  it('saves default resources once valid and the field is left, and refuses out-of-range values', async () => {
    const { api, user } = await openSettings();
    const cpus = screen.getByRole('spinbutton', { name: 'CPUs' });
    await user.clear(cpus);
    await user.type(cpus, '0');
    expect(screen.getByText('CPUs must be at least 1.')).toBeTruthy();
    await user.tab();
    expect(api.callsTo('updateSettings')).toEqual([]);

    await user.clear(cpus);
    await user.type(cpus, '4');
    await user.tab();
    expect(api.callsTo('updateSettings')).toEqual([{ defaultResources: { cpus: 4, memoryMiB: 4096, diskGiB: 20 } }]);
  });

  it('asks before touching ~/.ssh/config, and offers each runtime including the labelled simulated one', async () => {
    const { api, user } = await openSettings(createFakeApi({ host: readyHost({ runtimes: [incusRuntime(), simulatedRuntime()] }) }));
    const consent = screen.getByRole('checkbox', { name: 'Let ssh and desktop editors reach workspaces by name' }) as HTMLInputElement;
    expect(consent.checked).toBe(false);
    await user.click(consent);
    expect(api.callsTo('updateSettings')).toEqual([{ sshConfigInclude: true }]);

    const runtimes = screen.getByRole('group', { name: 'Runtime' });
    expect(within(runtimes).getAllByRole('radio')).toHaveLength(3);
    expect(within(runtimes).getByText(SIMULATED_LABEL)).toBeTruthy();
    await user.click(within(runtimes).getByRole('radio', { name: /Incus/ }));
    expect(api.callsTo('updateSettings').at(-1)).toEqual({ runtime: 'incus' });
  });

  it('turns the warm pool on and off, showing the size in use', async () => {
    const { api, user } = await openSettings();
    const pool = screen.getByRole('combobox', { name: 'Keep workspaces ready' }) as HTMLSelectElement;
    expect(pool.value).toBe('0');
    await user.selectOptions(pool, '2 ready');
    expect(api.callsTo('updateSettings')).toEqual([{ warmPool: { size: 2 } }]);
    expect(pool.value).toBe('2');
    await user.selectOptions(pool, 'None');
    expect(api.callsTo('updateSettings').at(-1)).toEqual({ warmPool: { size: 0 } });
  });

  it('sets what happens to running workspaces on quit', async () => {
    const { api, user } = await openSettings();
    await user.click(screen.getByRole('radio', { name: 'Leave them running' }));
    expect(api.callsTo('updateSettings')).toEqual([{ quitBehaviour: 'leave-running' }]);
  });
});
