import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TidepoolError } from '../../src-shared/errors.js';
import { HostKeyStore, keyFingerprint, keyType } from './host-keys.js';
import { generateEd25519KeyPair } from './ssh-key.js';

const ID = '11111111-2222-4333-8444-555555555555';
const OTHER_ID = '99999999-2222-4333-8444-555555555555';

function publicBlob(): Buffer {
  const pair = generateEd25519KeyPair();
  const parsed = ssh2.utils.parseKey(pair.public);
  if (parsed instanceof Error) throw parsed;
  return parsed.getPublicSSH();
}

describe('HostKeyStore', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tidepool-hostkeys-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('pins the first key a workspace shows, owner-only, in OpenSSH known_hosts form under its alias', () => {
    const store = new HostKeyStore(dataDir);
    const blob = publicBlob();
    const verdict = store.verify(ID, 'api', blob);
    expect(verdict).toMatchObject({ ok: true, pinnedNow: true });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    const line = readFileSync(store.path, 'utf8').trim();
    expect(line).toBe(`tidepool-api ssh-ed25519 ${blob.toString('base64')} tidepool-workspace=${ID}`);
    expect(store.verify(ID, 'api', blob)).toMatchObject({ ok: true, pinnedNow: false });
  });

  it('refuses a different key with HOST_KEY_CHANGED, naming both fingerprints and where the pin lives', () => {
    const store = new HostKeyStore(dataDir);
    const first = publicBlob();
    store.verify(ID, 'api', first);
    const impostor = publicBlob();
    const verdict = store.verify(ID, 'api', impostor);
    expect(verdict.ok).toBe(false);
    const error = (verdict as { error: TidepoolError }).error;
    expect(error.code).toBe('HOST_KEY_CHANGED');
    expect(error.message).toContain('“api”');
    expect(error.hint).toContain(store.path);
    expect(error.detail).toContain(keyFingerprint(first));
    expect(error.detail).toContain(keyFingerprint(impostor));
    // The pin is unchanged: the impostor's key was not recorded.
    expect(store.pinned(ID)?.base64).toBe(first.toString('base64'));
  });

  it('drops the pin on forget, so a new workspace with the same name is trusted afresh', () => {
    const store = new HostKeyStore(dataDir);
    store.verify(ID, 'api', publicBlob());
    store.forget(ID, 'api');
    expect(store.pinned(ID)).toBeNull();
    expect(store.verify(OTHER_ID, 'api', publicBlob())).toMatchObject({ ok: true, pinnedNow: true });
  });

  it('replaces a stale pin left under the same alias by a workspace that no longer exists', () => {
    const store = new HostKeyStore(dataDir);
    store.verify(OTHER_ID, 'api', publicBlob());
    const fresh = publicBlob();
    expect(store.verify(ID, 'api', fresh)).toMatchObject({ ok: true, pinnedNow: true });
    const lines = readFileSync(store.path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(fresh.toString('base64'));
  });

  it('computes the same fingerprint and type as OpenSSH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidepool-fp-'));
    try {
      const pair = generateEd25519KeyPair();
      writeFileSync(join(dir, 'key.pub'), pair.public);
      const blob = Buffer.from(pair.public.split(' ')[1]!, 'base64');
      expect(keyType(blob)).toBe('ssh-ed25519');
      let openssh: string;
      try {
        openssh = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'key.pub')], { encoding: 'utf8' });
      } catch {
        console.warn('ssh-keygen is not installed: comparing with the documented SHA256 form only');
        expect(keyFingerprint(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
        return;
      }
      expect(openssh).toContain(keyFingerprint(blob));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
