import { createHostStore, type HostStore } from './host-store.js';
import { createLogsStore, type LogsStore } from './logs-store.js';
import { createNavigationStore, type NavigationStore } from './navigation-store.js';
import { createSettingsStore, type SettingsStore } from './settings-store.js';
import { createStatusStore, type StatusStore } from './status-store.js';
import { createUiStore, type UiStore } from './ui-store.js';
import { createWorkspacesStore, type WorkspacesStore } from './workspaces-store.js';

export interface Stores {
  workspaces: WorkspacesStore;
  host: HostStore;
  settings: SettingsStore;
  logs: LogsStore;
  navigation: NavigationStore;
  ui: UiStore;
  status: StatusStore;
}

export function createStores(): Stores {
  return {
    workspaces: createWorkspacesStore(),
    host: createHostStore(),
    settings: createSettingsStore(),
    logs: createLogsStore(),
    navigation: createNavigationStore(),
    ui: createUiStore(),
    status: createStatusStore(),
  };
}
