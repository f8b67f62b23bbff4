import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Settings } from '../../src-shared/workspace.js';

export interface SettingsState {
  settings: Settings | null;
  setSettings(settings: Settings): void;
}

export type SettingsStore = StoreApi<SettingsState>;

export function createSettingsStore(): SettingsStore {
  return createStore<SettingsState>()((set) => ({
    settings: null,
    setSettings: (settings) => set({ settings }),
  }));
}
