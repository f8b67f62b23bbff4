import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import Conf from 'conf';
import type { StateStore, StoreRecovery, StoreSchema } from './state-store.js';

export const STORE_FILE_NAME = 'tidepool';

/**
 * A file that is not a JSON object is moved aside as `<file>.corrupt-<time>` and reported, never
 * overwritten: it may be the only copy of the user's workspace list.
 */
export function setAsideIfCorrupt(file: string, now: Date = new Date()): StoreRecovery | null {
  if (!existsSync(file)) return null;
  let reason: string | null = null;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) reason = 'the file is not a JSON object';
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  if (reason === null) return null;
  const corruptCopy = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, corruptCopy);
  return { corruptCopy, reason };
}

export class ConfStateStore implements StateStore {
  readonly path: string;
  readonly recovery: StoreRecovery | null;
  private readonly conf: Conf<Record<string, unknown>>;

  constructor(dataDir: string) {
    this.path = join(dataDir, `${STORE_FILE_NAME}.json`);
    this.recovery = setAsideIfCorrupt(this.path);
    this.conf = new Conf<Record<string, unknown>>({
      cwd: dataDir,
      accessPropertiesByDotNotation: false,
      configName: STORE_FILE_NAME,
      clearInvalidConfig: false,
      configFileMode: 0o600,
    });
  }

  get<K extends keyof StoreSchema>(key: K): StoreSchema[K] | undefined {
    return this.conf.get(key) as StoreSchema[K] | undefined;
  }

  set<K extends keyof StoreSchema>(key: K, value: StoreSchema[K]): void {
    this.conf.set(key, value);
  }
}
