/**
 * Persistence behind one small interface. The app uses electron-store (see the Electron shell), plain Node
 * (CLI, server, tests) uses conf directly: the same JSON file format, written atomically by both.
 */
import type { Settings, Workspace } from '../../src-shared/workspace.js';

export interface StoreSchema {
  workspaces: Record<string, Workspace>;
  settings: Partial<Settings>;
}

/** Set when the file on disk could not be read and was moved aside instead of being overwritten. */
export interface StoreRecovery {
  corruptCopy: string;
  reason: string;
}

export interface StateStore {
  readonly path: string;
  readonly recovery: StoreRecovery | null;
  get<K extends keyof StoreSchema>(key: K): StoreSchema[K] | undefined;
  set<K extends keyof StoreSchema>(key: K, value: StoreSchema[K]): void;
}

/** In-memory store for tests and the simulated demo. */
export class MemoryStateStore implements StateStore {
  readonly path = ':memory:';
  readonly recovery = null;
  private readonly data: Partial<StoreSchema> = {};

  get<K extends keyof StoreSchema>(key: K): StoreSchema[K] | undefined {
    const value = this.data[key];
    return value === undefined ? undefined : structuredClone(value);
  }

  set<K extends keyof StoreSchema>(key: K, value: StoreSchema[K]): void {
    this.data[key] = structuredClone(value);
  }
}
