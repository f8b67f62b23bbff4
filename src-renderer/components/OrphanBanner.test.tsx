import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeApi } from '../testing/fake-api.js';
import { makeWorkspace } from '../testing/fixtures.js';
import { renderApp } from '../testing/render-app.js';

const orphan = { runtime: 'incus' as const, instanceName: 'tp-lost', workspaceId: null, name: 'lost', running: false };

describe('orphan banner', () => {
  it('is absent when every instance belongs to a workspace', async () => {
    await renderApp(createFakeApi({ workspaces: [makeWorkspace()] }));
    expect(screen.queryByRole('region', { name: /Tidepool found/ })).toBeNull();
  });

  it('adopts an unclaimed instance as a workspace', async () => {
    const api = createFakeApi({ orphans: [orphan] });
    const { user } = await renderApp(api);
    const banner = await screen.findByRole('region', { name: 'Tidepool found an instance it has no workspace for' });
    expect(banner.textContent).toContain('tp-lost on Incus, stopped');
    await user.click(within(banner).getByRole('button', { name: 'Adopt' }));
    expect(api.callsTo('adoptOrphan')).toEqual([{ runtime: 'incus', instanceName: 'tp-lost' }]);
    await waitFor(() => expect(screen.queryByRole('region', { name: /Tidepool found/ })).toBeNull());
    expect(screen.getByRole('heading', { name: 'lost', level: 2 })).toBeTruthy();
  });

  it('removes one only after confirmation', async () => {
    const api = createFakeApi({ orphans: [orphan] });
    const { user } = await renderApp(api);
    const banner = await screen.findByRole('region', { name: /Tidepool found/ });
    await user.click(within(banner).getByRole('button', { name: 'Remove…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Remove tp-lost?' });
    expect(api.callsTo('removeOrphan')).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Remove tp-lost' }));
    expect(api.callsTo('removeOrphan')).toEqual([{ runtime: 'incus', instanceName: 'tp-lost' }]);
    await waitFor(() => expect(screen.queryByRole('region', { name: /Tidepool found/ })).toBeNull());
  });
});
