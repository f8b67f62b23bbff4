/**
 * The app's StateStore: electron-store over the same file, format and corrupt-file handling as the
 * conf-backed store the CLI and server use, so all of them share one workspace list. electron-store
 * imports Electron when loaded, which is why it lives here and not in the core.
 */
import { join } from 'node:path';
import ElectronStore from 'electron-store';
import { STORE_FILE_NAME, setAsideIfCorrupt } from '../store/conf-state-store.js';
import type { StateStore, StoreRecovery, StoreSchema } from '../store/state-store.js';

export class ElectronStateStore implements StateStore {
  readonly path: string;
  readonly recovery: StoreRecovery | null;
  private readonly store: ElectronStore<Record<string, unknown>>;

  constructor(dataDir: string) {
    this.path = join(dataDir, `${STORE_FILE_NAME}.json`);
    this.recovery = setAsideIfCorrupt(this.path);
    this.store = new ElectronStore<Record<string, unknown>>({
      cwd: dataDir,
      name: STORE_FILE_NAME,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
      configFileMode: 0o600,
    });
  }

  get<K extends keyof StoreSchema>(key: K): StoreSchema[K] | undefined {
    return this.store.get(key) as StoreSchema[K] | undefined;
  }

  set<K extends keyof StoreSchema>(key: K, value: StoreSchema[K]): void {
    this.store.set(key, value);
  }
}
