/**
 * Host-key pinning: the key a workspace shows on first contact is kept, owner-only, in Tidepool's own
 * known_hosts file (OpenSSH format under the `tidepool-<name>` alias, so `ssh tidepool-<name>` checks the
 * same pin). A different key later is refused: that is what an interception would look like.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TidepoolError } from '../../src-shared/errors.js';
import { hostAlias } from './ssh-config.js';

export interface PinnedKey {
  alias: string;
  workspaceId: string | null;
  /** Key type as named inside the key, e.g. `ssh-ed25519`. */
  type: string;
  base64: string;
}

export type HostKeyVerdict = { ok: true; pinnedNow: boolean; fingerprint: string } | { ok: false; error: TidepoolError };

const WORKSPACE_MARK = 'tidepool-workspace=';

export class HostKeyStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'ssh', 'known_hosts');
  }

  pinned(workspaceId: string): PinnedKey | null {
    return this.read().find((entry) => entry.workspaceId === workspaceId) ?? null;
  }

  /** Accepts the key the workspace offers if it is the pinned one, pinning it when there is none yet. */
  verify(workspaceId: string, name: string, keyBlob: Buffer): HostKeyVerdict {
    const offered = { type: keyType(keyBlob), base64: keyBlob.toString('base64') };
    const fingerprint = keyFingerprint(keyBlob);
    const pin = this.pinned(workspaceId);
    if (!pin) {
      const alias = hostAlias(name);
      // An entry under this alias from a workspace that no longer exists must not block the new one.
      const others = this.read().filter((entry) => entry.alias !== alias && entry.workspaceId !== workspaceId);
      this.write([...others, { alias, workspaceId, ...offered }]);
      return { ok: true, pinnedNow: true, fingerprint };
    }
    if (pin.type === offered.type && pin.base64 === offered.base64) return { ok: true, pinnedNow: false, fingerprint };
    const pinnedFingerprint = keyFingerprint(Buffer.from(pin.base64, 'base64'));
    return {
      ok: false,
      error: new TidepoolError({
        code: 'HOST_KEY_CHANGED',
        message: `The SSH host key of “${name}” is not the one Tidepool saw the first time, so Tidepool refused to connect.`,
        hint:
          'If you did not rebuild or replace this workspace, something may be intercepting the connection: do not continue. ' +
          `If you know why the key changed, remove the line starting with “${pin.alias}” from ${this.path} and start the workspace again.`,
        detail: `pinned ${pin.type} ${pinnedFingerprint}; offered ${offered.type} ${fingerprint}`,
      }),
    };
  }

  /** Drops the pin of a deleted workspace. */
  forget(workspaceId: string, name: string): void {
    const alias = hostAlias(name);
    const entries = this.read();
    const kept = entries.filter((entry) => entry.workspaceId !== workspaceId && entry.alias !== alias);
    if (kept.length !== entries.length) this.write(kept);
  }

  private read(): PinnedKey[] {
    if (!existsSync(this.path)) return [];
    const entries: PinnedKey[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const [alias, type, base64, ...comment] = line.trim().split(/\s+/);
      if (!alias || alias.startsWith('#') || !type || !base64) continue;
      const mark = comment.find((word) => word.startsWith(WORKSPACE_MARK));
      entries.push({ alias, type, base64, workspaceId: mark ? mark.slice(WORKSPACE_MARK.length) : null });
    }
    return entries;
  }

  private write(entries: PinnedKey[]): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const text = entries
      .map((entry) => `${entry.alias} ${entry.type} ${entry.base64}${entry.workspaceId ? ` ${WORKSPACE_MARK}${entry.workspaceId}` : ''}\n`)
      .join('');
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, this.path);
    chmodSync(this.path, 0o600);
  }
}

/** The key type named at the start of an SSH public key blob. */
export function keyType(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's `SHA256:…` fingerprint of a public key blob. */
export function keyFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Host-key algorithms that produce keys of this type (RSA keys sign with several). */
export function algorithmsFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}
