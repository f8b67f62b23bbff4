import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateFolder } from './private-folder.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
const root = (): string => {
  const made = mkdtempSync(join(tmpdir(), 'tp-private-'));
  roots.push(made);
  return made;
};
const modeOf = (path: string): number => statSync(path).mode & 0o7777;

describe('the data folder', () => {
  it('is created owner-only', () => {
    const path = join(root(), 'Tidepool');
    expect(ensurePrivateFolder(path).tightenedFrom).toBeNull();
    expect(modeOf(path)).toBe(0o700);
  });

  it('is tightened when it already exists readable by others (an older install)', () => {
    const path = join(root(), 'Tidepool');
    mkdirSync(path);
    chmodSync(path, 0o755);
    expect(ensurePrivateFolder(path).tightenedFrom).toBe(0o755);
    expect(modeOf(path)).toBe(0o700);
  });

  it('leaves a shared sticky folder such as /tmp alone', () => {
    const path = join(root(), 'shared');
    mkdirSync(path);
    chmodSync(path, 0o1777);
    expect(ensurePrivateFolder(path).tightenedFrom).toBeNull();
    expect(modeOf(path)).toBe(0o1777);
  });
});
