import { describe, expect, it } from 'vitest';
import { TidepoolError } from '../../src-shared/errors.js';
import type { ConnectionState, ConnectionStatus } from '../api/connection.js';
import { createFakeApi } from '../testing/fake-api.js';
import { makeWorkspace } from '../testing/fixtures.js';
import { connectStores } from './connect-stores.js';
import { createStores } from './stores.js';

function fakeConnection(): ConnectionStatus & { set(state: ConnectionState): void } {
  let state: ConnectionState = 'open';
  const listeners = new Set<(state: ConnectionState) => void>();
  return {
    connection: () => state,
    onConnectionChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set: (next) => {
      state = next;
      listeners.forEach((listener) => listener(next));
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('connectStores', () => {
  it('loads a snapshot once, then only listens', async () => {
    const api = createFakeApi({ workspaces: [makeWorkspace({ name: 'a' })] });
    const stores = createStores();
    connectStores(api, stores);
    await settle();
    expect(stores.workspaces.getState().list.map((w) => w.name)).toEqual(['a']);
    expect(stores.settings.getState().settings).not.toBeNull();
    expect(stores.host.getState().status?.ready).toBe(true);
    expect(api.callsTo('listWorkspaces')).toHaveLength(1);
    expect(api.listenerCount('workspaceChanged')).toBe(1);
  });

  it('loads again after a reconnect, since events may have been missed', async () => {
    const api = createFakeApi();
    const stores = createStores();
    const connection = fakeConnection();
    connectStores(api, stores, connection);
    await settle();
    connection.set('reconnecting');
    expect(stores.status.getState().connection).toBe('reconnecting');
    api.state.workspaces = [makeWorkspace({ name: 'made-while-away' })];
    connection.set('open');
    await settle();
    expect(stores.workspaces.getState().list.map((w) => w.name)).toEqual(['made-while-away']);
    expect(api.callsTo('listWorkspaces')).toHaveLength(2);
  });

  it('keeps the first load’s failure for the UI to show', async () => {
    const api = createFakeApi();
    api.handle('listWorkspaces', () => {
      throw new TidepoolError({ code: 'STORE_CORRUPT', message: 'Tidepool’s records could not be read.' });
    });
    const stores = createStores();
    connectStores(api, stores);
    await settle();
    expect(stores.status.getState().loadError?.code).toBe('STORE_CORRUPT');
  });

  it('stops listening when disconnected', () => {
    const api = createFakeApi();
    const disconnect = connectStores(api, createStores());
    disconnect();
    expect(api.listenerCount('workspaceChanged')).toBe(0);
  });
});
