import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfStateStore } from './conf-state-store.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'tidepool-store-'));

describe('ConfStateStore', () => {
  it('persists across instances in an owner-only file', () => {
    const dir = fresh();
    new ConfStateStore(dir).set('settings', { theme: 'dark' });
    const reopened = new ConfStateStore(dir);
    expect(reopened.get('settings')).toEqual({ theme: 'dark' });
    expect(reopened.recovery).toBeNull();
    expect(statSync(reopened.path).mode & 0o777).toBe(0o600);
  });

  it('keeps workspace ids with dots and dashes as plain keys', () => {
    const dir = fresh();
    const store = new ConfStateStore(dir);
    store.set('workspaces', { 'a.b-c': { name: 'x' } as never });
    expect(Object.keys(new ConfStateStore(dir).get('workspaces') ?? {})).toEqual(['a.b-c']);
  });

  it.each([
    ['truncated JSON', '{"workspaces": {"a": '],
    ['not an object', '[1,2,3]'],
    ['binary garbage', '\u0000\u0001\u0002'],
  ])('sets a corrupt file (%s) aside, reports it and starts empty', (_label, content) => {
    const dir = fresh();
    const file = join(dir, 'tidepool.json');
    writeFileSync(file, content);
    const store = new ConfStateStore(dir);
    expect(store.recovery).not.toBeNull();
    expect(store.recovery?.reason.length).toBeGreaterThan(0);
    expect(readFileSync(store.recovery!.corruptCopy, 'utf8')).toBe(content);
    expect(store.get('workspaces')).toBeUndefined();
    store.set('settings', { theme: 'light' });
    expect(readdirSync(dir).filter((name) => name.includes('.corrupt-'))).toHaveLength(1);
    expect(existsSync(store.recovery!.corruptCopy)).toBe(true);
  });

  it('writes atomically: no partial file is left beside the store', () => {
    const dir = fresh();
    const store = new ConfStateStore(dir);
    for (let i = 0; i < 50; i += 1) store.set('settings', { theme: i % 2 ? 'dark' : 'light' });
    expect(readdirSync(dir).filter((name) => name !== 'tidepool.json')).toEqual([]);
    expect(() => JSON.parse(readFileSync(store.path, 'utf8'))).not.toThrow();
  });
});
