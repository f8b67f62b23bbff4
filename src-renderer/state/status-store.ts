/** Whether the UI is connected to the core and whether its first load worked. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { TidepoolError } from '../../src-shared/errors.js';
import type { ConnectionState } from '../api/connection.js';

export interface StatusState {
  connection: ConnectionState;
  loadError: TidepoolError | null;
  setConnection(connection: ConnectionState): void;
  setLoadError(error: TidepoolError | null): void;
}

export type StatusStore = StoreApi<StatusState>;

export function createStatusStore(connection: ConnectionState = 'open'): StatusStore {
  return createStore<StatusState>()((set) => ({
    connection,
    loadError: null,
    setConnection: (next) => set({ connection: next }),
    setLoadError: (loadError) => set({ loadError }),
  }));
}
