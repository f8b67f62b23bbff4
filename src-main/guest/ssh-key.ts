/**
 * Tidepool's own SSH identity: one ed25519 key made on first run, kept owner-only in the app's data
 * folder and never logged. Its public half is installed in every workspace.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export interface SshKey {
  privateKeyPath: string;
  privateKey: string;
  publicKey: string;
}

export function loadOrCreateSshKey(dataDir: string): SshKey {
  const folder = join(dataDir, 'ssh');
  const privateKeyPath = join(folder, 'id_ed25519');
  const publicKeyPath = `${privateKeyPath}.pub`;
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
  if (!existsSync(privateKeyPath) || !existsSync(publicKeyPath) || !isUsable(readFileSync(privateKeyPath, 'utf8'))) {
    const pair = generateEd25519KeyPair('tidepool');
    writeFileSync(privateKeyPath, pair.private, { mode: 0o600 });
    writeFileSync(publicKeyPath, `${pair.public}\n`, { mode: 0o644 });
  }
  chmodSync(privateKeyPath, 0o600);
  return {
    privateKeyPath,
    privateKey: readFileSync(privateKeyPath, 'utf8'),
    publicKey: readFileSync(publicKeyPath, 'utf8').trim(),
  };
}

/**
 * An ed25519 pair in OpenSSH format. ssh2's generator drops a leading zero byte of the key (about 1 pair in
 * 128), which neither ssh2 nor OpenSSH can load afterwards; such a pair is made again.
 */
export function generateEd25519KeyPair(comment = ''): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (isUsable(pair.private)) return pair;
  }
}

function isUsable(privateKey: string): boolean {
  const parsed = ssh2.utils.parseKey(privateKey);
  // 4 + 11 ("ssh-ed25519") + 4 + 32 key bytes.
  return !(parsed instanceof Error) && parsed.type === 'ssh-ed25519' && parsed.getPublicSSH().length === 51;
}
