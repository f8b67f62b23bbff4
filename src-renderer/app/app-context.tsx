/** What every screen needs: the API, which shell hosts the UI, and the stores. */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { TidepoolApi } from '../../src-shared/contract.js';
import type { TidepoolBridge } from '../../src-shared/transport.js';
import type { Stores } from '../state/stores.js';

export interface AppContextValue {
  api: TidepoolApi;
  host: TidepoolBridge['host'];
  stores: Stores;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ value, children }: { value: AppContextValue; children: ReactNode }) {
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp must be used inside <AppProvider>.');
  return value;
}

export function useApi(): TidepoolApi {
  return useApp().api;
}

export type StateOf<K extends keyof Stores> = ReturnType<Stores[K]['getState']>;

/** Subscribes a component to a slice of one of the stores. */
export function useAppStore<K extends keyof Stores, T>(name: K, selector: (state: StateOf<K>) => T): T {
  const store = useApp().stores[name] as unknown as StoreApi<StateOf<K>>;
  return useStore(store, selector);
}
