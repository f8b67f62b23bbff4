import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createFakeApi } from '../testing/fake-api.js';
import { defaultSettings, incusRemote, makeWorkspace } from '../testing/fixtures.js';
import { renderApp } from '../testing/render-app.js';

function sidebarRow(name: string): HTMLElement {
  return within(screen.getByRole('list', { name: 'Workspaces' })).getByRole('button', { name: new RegExp(`^${name},`) });
}

function overviewItem(name: string): HTMLElement {
  return screen.getByRole('button', { name: `Open IDE for ${name}` }).closest('li')!;
}

describe('where a workspace lives', () => {
  const api = () =>
    createFakeApi({
      settings: defaultSettings({ incus: { socketPath: null, remotes: [incusRemote()], activeRemote: null } }),
      workspaces: [makeWorkspace({ name: 'on-server', location: 'team-server' }), makeWorkspace({ name: 'at-home' })],
    });

  it('names the server in the sidebar and the overview, and nothing for this computer', async () => {
    await renderApp(api());
    expect(sidebarRow('on-server').textContent).toContain('Incus on team-server · Container');
    expect(sidebarRow('at-home').textContent).toContain('Incus · Container');
    expect(sidebarRow('at-home').textContent).not.toContain(' on ');

    expect(overviewItem('on-server').textContent).toContain('Incus on team-server ·');
    expect(overviewItem('at-home').textContent).not.toContain('team-server');
  });

  it('shows the server and its address in the workspace’s details', async () => {
    const { user } = await renderApp(api());
    await user.click(sidebarRow('on-server'));
    const details = (await screen.findByRole('region', { name: 'Details' })).querySelector('dl')!;
    const server = [...details.querySelectorAll('dt')].find((term) => term.textContent === 'Server');
    expect(server?.nextElementSibling?.textContent).toBe('team-server https://192.0.2.10:8443');

    await user.click(sidebarRow('at-home'));
    await screen.findByRole('heading', { name: 'at-home' });
    expect([...screen.getByRole('region', { name: 'Details' }).querySelectorAll('dt')].map((term) => term.textContent)).not.toContain('Server');
  });
});
