/** Renders the whole app against a fake API, connected the way main.tsx connects the real one. */
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { TidepoolBridge } from '../../src-shared/transport.js';
import { AppProvider } from '../app/app-context.js';
import { AppShell } from '../screens/AppShell.js';
import { connectStores } from '../state/connect-stores.js';
import { createStores, type Stores } from '../state/stores.js';
import type { FakeApi } from './fake-api.js';

export interface RenderedApp {
  api: FakeApi;
  stores: Stores;
  user: ReturnType<typeof userEvent.setup>;
}

export async function renderApp(
  api: FakeApi,
  options: { host?: TidepoolBridge['host']; user?: Parameters<typeof userEvent.setup>[0] } = {},
): Promise<RenderedApp> {
  const stores = createStores();
  const user = userEvent.setup(options.user);
  connectStores(api, stores);
  render(
    <AppProvider value={{ api, host: options.host ?? 'browser', stores }}>
      <AppShell />
    </AppProvider>,
  );
  // The first load is done once the sidebar knows the workspaces.
  await screen.findByRole('navigation', { name: 'Workspaces' });
  await waitFor(() => {
    if (!stores.workspaces.getState().loaded || !stores.settings.getState().settings) throw new Error('Still loading.');
  });
  return { api, stores, user };
}
