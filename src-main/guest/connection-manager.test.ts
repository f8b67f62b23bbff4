/** GuestConnection against a real sshd (run as the current user): agent forwarding, cancelling, waiting for a reconnect. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, GuestConnection, type ConnectionOptions } from './connection-manager.js';
import { execInGuest } from './guest-exec.js';
import { keyFingerprint } from './host-keys.js';
import { generateEd25519KeyPair, loadOrCreateSshKey, type SshKey } from './ssh-key.js';
import { startCutProxy } from './testing/cut-proxy.js';
import { freePort, sshdUnavailableReason, startTestSshd, type TestSshd } from './testing/openssh-server.js';

const unavailable = sshdUnavailableReason();
if (unavailable) console.warn(`GuestConnection tests skipped: ${unavailable}`);

function hasSshAgent(): boolean {
  try {
    execFileSync('ssh-add', ['--help'], { stdio: 'ignore' });
  } catch (error) {
    // ssh-add prints usage and exits 1 when present; only a missing binary throws ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  return true;
}

async function dropNoticed(link: GuestConnection): Promise<void> {
  for (let waited = 0; link.connected; waited += 10) {
    if (waited > 5_000) throw new Error('the cut was not noticed');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.skipIf(unavailable !== null)('GuestConnection', () => {
  let root: string;
  let key: SshKey;
  let sshd: TestSshd;

  const connection = (overrides: Partial<ConnectionOptions> = {}): GuestConnection =>
    new GuestConnection({
      name: 'conn',
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.user,
      privateKey: key.privateKey,
      agentSocket: null,
      hostKeyAlgorithms: () => null,
      verifyHostKey: (blob) => ({ ok: true, pinnedNow: false, fingerprint: keyFingerprint(blob) }),
      platform: 'linux',
      timing: { ...DEFAULT_TIMING, retryBudgetMs: 5_000, firstRetryDelayMs: 100, maxRetryDelayMs: 300, maxReconnectDelayMs: 300 },
      log: () => undefined,
      ...overrides,
    });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tidepool-connection-'));
    key = loadOrCreateSshKey(join(root, 'data'));
    sshd = await startTestSshd(join(root, 'sshd'), { authorizedKeys: [key.publicKey] });
  });

  afterAll(async () => {
    await sshd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(!hasSshAgent())('forwards the user’s SSH agent only when asked to, and never offers its keys to the guest', async () => {
    const agentSocket = join(root, 'agent.sock');
    const agent: ChildProcess = spawn('ssh-agent', ['-D', '-a', agentSocket], { stdio: 'ignore' });
    try {
      for (let waited = 0; !existsSync(agentSocket) && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      const userKey = generateEd25519KeyPair('the-users-own-key');
      writeFileSync(join(root, 'user_key'), userKey.private, { mode: 0o600 });
      execFileSync('ssh-add', [join(root, 'user_key')], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket }, stdio: 'ignore' });

      const forwarded = connection({ agentSocket });
      await forwarded.open(new AbortController().signal, () => undefined);
      const listed = await execInGuest(await forwarded.ready(), 'ssh-add -l');
      expect(listed.stdout).toContain('the-users-own-key');
      await forwarded.close();

      // A guest that would accept the user's own key still does not get it offered.
      sshd.authorize([userKey.public]);
      try {
        const tempting = connection({ agentSocket, timing: { ...DEFAULT_TIMING, retryBudgetMs: 500 } });
        await expect(tempting.open(new AbortController().signal, () => undefined)).rejects.toMatchObject({
          message: '“conn” did not accept Tidepool’s SSH key.',
        });
      } finally {
        sshd.authorize([key.publicKey]);
      }

      const plain = connection();
      await plain.open(new AbortController().signal, () => undefined);
      const none = await execInGuest(await plain.ready(), 'echo "sock=${SSH_AUTH_SOCK:-none}"');
      expect(none.stdout.trim()).toBe('sock=none');
      await plain.close();
    } finally {
      agent.kill();
    }
  });

  it('stops retrying at once when the operation is cancelled', async () => {
    const closed = connection({ port: await freePort(), timing: { ...DEFAULT_TIMING, retryBudgetMs: 60_000 } });
    const controller = new AbortController();
    const opening = closed.open(controller.signal, () => undefined);
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    await expect(opening).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('holds requests while reconnecting, and says so when the link does not come back in time', async () => {
    const proxy = await startCutProxy(sshd.port);
    const link = connection({ port: proxy.port });
    try {
      await link.open(new AbortController().signal, () => undefined);
      proxy.cut();
      await dropNoticed(link);
      // Held while reconnecting, then served on the new link.
      const client = await link.ready(10_000);
      expect((await execInGuest(client, 'echo again')).stdout.trim()).toBe('again');
      expect(proxy.connections()).toBe(2);

      await sshd.stop();
      proxy.cut();
      await dropNoticed(link);
      await expect(link.ready(500)).rejects.toMatchObject({ code: 'GUEST_UNREACHABLE' });
      await sshd.start();
      const back = await link.ready(10_000);
      expect((await execInGuest(back, 'echo back')).stdout.trim()).toBe('back');
    } finally {
      await link.close();
      await proxy.close();
    }
  });

  it('is not running any more once closed', async () => {
    const link = connection();
    await link.open(new AbortController().signal, () => undefined);
    await link.close();
    await expect(link.ready(100)).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
