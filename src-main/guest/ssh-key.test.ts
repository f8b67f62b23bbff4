import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, loadOrCreateSshKey } from './ssh-key.js';

describe('Tidepool’s SSH key', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'tidepool-sshkey-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is made once, owner-only, and the same key is returned afterwards', () => {
    const key = loadOrCreateSshKey(dataDir);
    expect(statSync(join(dataDir, 'ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(key.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(key.publicKey).toMatch(/^ssh-ed25519 \S+ tidepool$/);
    expect(loadOrCreateSshKey(dataDir)).toEqual(key);
  });

  it('always yields keys that load (ssh2 alone drops a leading zero byte in about 1 pair of 128)', () => {
    for (let i = 0; i < 1_000; i += 1) {
      const parsed = ssh2.utils.parseKey(generateEd25519KeyPair().private);
      expect(parsed).not.toBeInstanceOf(Error);
    }
  });

  it('replaces a stored key that can never have worked', () => {
    const key = loadOrCreateSshKey(dataDir);
    writeFileSync(key.privateKeyPath, '-----BEGIN OPENSSH PRIVATE KEY-----\nbroken\n-----END OPENSSH PRIVATE KEY-----\n');
    const fresh = loadOrCreateSshKey(dataDir);
    expect(fresh.publicKey).not.toBe(key.publicKey);
    expect(ssh2.utils.parseKey(fresh.privateKey)).not.toBeInstanceOf(Error);
  });

  it('is one OpenSSH itself can use (the SSH config points plain `ssh` at it)', () => {
    let derived: string;
    try {
      derived = execFileSync('ssh-keygen', ['-y', '-f', loadOrCreateSshKey(dataDir).privateKeyPath], { encoding: 'utf8' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      console.warn('ssh-keygen is not installed: OpenSSH compatibility of the key not checked');
      return;
    }
    expect(derived.split(' ').slice(0, 2).join(' ')).toBe(readFileSync(join(dataDir, 'ssh', 'id_ed25519.pub'), 'utf8').split(' ').slice(0, 2).join(' '));
  });
});
