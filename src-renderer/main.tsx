import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/client.js';
import { hasConnectionStatus } from './api/connection.js';
import { pickBridge } from './api/pick-bridge.js';
import { AppProvider } from './app/app-context.js';
import { AppShell } from './screens/AppShell.js';
import { connectStores } from './state/connect-stores.js';
import { createStores } from './state/stores.js';
import './styles/index.css';

const bridge = pickBridge();
const api = createClient(bridge);
const stores = createStores();
connectStores(api, stores, hasConnectionStatus(bridge) ? bridge : undefined);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <AppProvider value={{ api, host: bridge.host, stores }}>
      <AppShell />
    </AppProvider>
  </StrictMode>,
);
