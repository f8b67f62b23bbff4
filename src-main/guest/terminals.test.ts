/**
 * Terminals over the shared SSH connection: real login shells on a PTY. They run against OpenSSH's sshd when
 * it can hand out a PTY here; an unprivileged sshd cannot where /dev/pts lacks gid=5, and then an in-process
 * SSH server with a real PTY (node-pty + bash) stands in (the client side under test is the same).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, GuestConnection } from './connection-manager.js';
import { keyFingerprint } from './host-keys.js';
import { loadOrCreateSshKey, type SshKey } from './ssh-key.js';
import { Terminals } from './terminals.js';
import { sshdUnavailableReason, startTestSshd, type TestSshd } from './testing/openssh-server.js';
import { startPtySshServer, type PtySshServer } from './testing/pty-ssh-server.js';

const WORKSPACE = '00000000-0000-4000-8000-00000000aaaa';

interface Screen {
  text: string;
  exit: Promise<number | null>;
  exited: boolean;
}

function connectionTo(port: number, user: string, key: SshKey): GuestConnection {
  return new GuestConnection({
    name: 'terminal-test',
    host: '127.0.0.1',
    port,
    username: user,
    privateKey: key.privateKey,
    agentSocket: null,
    hostKeyAlgorithms: () => null,
    verifyHostKey: (blob) => ({ ok: true, pinnedNow: false, fingerprint: keyFingerprint(blob) }),
    platform: process.platform,
    timing: { ...DEFAULT_TIMING, retryBudgetMs: 5_000 },
    log: () => undefined,
  });
}

async function openScreen(terminals: Terminals, connection: GuestConnection, cols = 80, rows = 24): Promise<{ id: string; screen: Screen }> {
  let resolveExit: (code: number | null) => void = () => undefined;
  const screen: Screen = { text: '', exited: false, exit: new Promise((resolve) => (resolveExit = resolve)) };
  const id = await terminals.open(WORKSPACE, connection, { cols, rows }, {
    onData: (data) => (screen.text += data),
    onExit: (code) => {
      screen.exited = true;
      resolveExit(code);
    },
  });
  return { id, screen };
}

async function waitFor(screen: Screen, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(screen.text);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} on the terminal within ${timeoutMs} ms; got: ${JSON.stringify(screen.text.slice(-400))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether this sshd gives a session a PTY (an unprivileged one cannot where /dev/pts lacks gid=5). */
async function sshdGivesPty(connection: GuestConnection): Promise<boolean> {
  const terminals = new Terminals();
  const opened = await openScreen(terminals, connection).catch(() => null);
  if (!opened) return false;
  const { id, screen } = opened;
  terminals.write(id, 'echo pty-$((40+2))\r');
  const ok = await waitFor(screen, /pty-42/, 5_000).then(
    () => true,
    () => false,
  );
  terminals.close(id);
  return ok;
}

describe('terminals', { timeout: 30_000 }, () => {
  let root: string;
  let key: SshKey;
  let sshd: TestSshd | null = null;
  let fallback: PtySshServer | null = null;
  let connection: GuestConnection;
  const terminals = new Terminals();

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tidepool-terminals-'));
    key = loadOrCreateSshKey(join(root, 'data'));
    const unavailable = sshdUnavailableReason();
    if (unavailable === null) {
      sshd = await startTestSshd(join(root, 'sshd'), { authorizedKeys: [key.publicKey] });
      connection = connectionTo(sshd.port, sshd.user, key);
      await connection.open(new AbortController().signal, () => undefined);
      if (await sshdGivesPty(connection)) return;
      console.warn('terminals: this sshd cannot allocate a PTY when run unprivileged here (/dev/pts without gid=5); using the in-process SSH server with a real PTY instead');
      await connection.close();
      await sshd.stop();
      sshd = null;
    } else {
      console.warn(`terminals: no OpenSSH sshd (${unavailable}); using the in-process SSH server with a real PTY instead`);
    }
    fallback = await startPtySshServer(key.publicKey, root);
    connection = connectionTo(fallback.port, 'tester', key);
    await connection.open(new AbortController().signal, () => undefined);
  });

  afterAll(async () => {
    await connection?.close();
    await sshd?.stop();
    await fallback?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a command and shows its output', async () => {
    const { id, screen } = await openScreen(terminals, connection);
    terminals.write(id, 'echo tide$((6*7))pool\r');
    await waitFor(screen, /tide42pool/);
    terminals.close(id);
  });

  it('keeps UTF-8 intact, also when characters straddle output chunks', async () => {
    const { id, screen } = await openScreen(terminals, connection);
    terminals.write(id, "echo 'héllo → 🌊'\r");
    await waitFor(screen, /héllo → 🌊\r\n/);
    terminals.write(id, "for i in $(seq 3000); do printf '🌊'; done; echo; echo done-$((2+3))\r");
    await waitFor(screen, /done-5/);
    expect((screen.text.match(/🌊/g) ?? []).length).toBeGreaterThanOrEqual(3000);
    expect(screen.text).not.toContain('\uFFFD');
    terminals.close(id);
  });

  it('resizes: the shell sees the new size', async () => {
    const { id, screen } = await openScreen(terminals, connection, 80, 24);
    terminals.write(id, 'stty size\r');
    await waitFor(screen, /^24 80\r?$/m);
    terminals.resize(id, { cols: 132, rows: 43 });
    terminals.write(id, 'stty size\r');
    await waitFor(screen, /^43 132\r?$/m);
    terminals.close(id);
  });

  it('Ctrl-C interrupts the running command', async () => {
    const { id, screen } = await openScreen(terminals, connection);
    terminals.write(id, 'sleep 30; echo slept-$((9*9))\r');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const interrupted = Date.now();
    terminals.write(id, '\u0003');
    terminals.write(id, 'echo after-$((1+1))\r');
    await waitFor(screen, /after-2/, 5_000);
    expect(Date.now() - interrupted).toBeLessThan(5_000);
    expect(screen.text).not.toContain('slept-81');
    terminals.close(id);
  });

  it('reports the shell’s exit code when it exits', async () => {
    const { id, screen } = await openScreen(terminals, connection);
    terminals.write(id, 'exit 3\r');
    expect(await screen.exit).toBe(3);
    expect(() => terminals.write(id, 'x')).toThrow(/closed/);
  });

  it('closing a terminal ends its shell', async () => {
    const { id, screen } = await openScreen(terminals, connection);
    terminals.write(id, 'echo shell-pid=$$\r');
    const pid = Number((await waitFor(screen, /shell-pid=(\d+)/))[1]);
    terminals.close(id);
    await screen.exit;
    const deadline = Date.now() + 5_000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      try {
        process.kill(pid, 0);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });

  it('keeps several terminals of one workspace apart, and ends them all when the workspace goes', async () => {
    const first = await openScreen(terminals, connection);
    const second = await openScreen(terminals, connection);
    terminals.write(first.id, 'echo first-$((1*1))\r');
    terminals.write(second.id, 'echo second-$((2*1))\r');
    await waitFor(first.screen, /first-1/);
    await waitFor(second.screen, /second-2/);
    expect(first.screen.text).not.toContain('second-2');
    expect(second.screen.text).not.toContain('first-1');
    terminals.endAll(WORKSPACE);
    expect(await first.screen.exit).toBeNull();
    expect(await second.screen.exit).toBeNull();
  });
});
