/**
 * SshGuest against a real workspace: an Incus container from the Tidepool image, launched with the Incus
 * runtime (root, incusd, image baked). Key login as dev, host-key pinning, code-server configured and
 * reached through the IDE tunnel (HTTP and a WebSocket), terminals, a guest port forwarded, reconnecting.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TidepoolError } from '../../src-shared/errors.js';
import type { OperationStep } from '../../src-shared/workspace.js';
import type { IncusRuntime } from '../runtimes/incus/incus-runtime.js';
import { guestSh, incusUnavailableReason, localRuntime, quietContext, removeQuietly, specFor, testName } from '../runtimes/incus/integration-support.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import type { GuestContext, GuestTarget } from './guest-access.js';
import { SshGuest } from './ssh-guest.js';
import { loadOrCreateSshKey } from './ssh-key.js';

const reason = await incusUnavailableReason();
if (reason) console.warn(`Skipping SshGuest integration tests: ${reason}`);

interface Recorder extends GuestContext {
  steps: OperationStep[];
  lines: string[];
}

function recorder(): Recorder {
  const steps: OperationStep[] = [];
  const lines: string[] = [];
  return {
    signal: new AbortController().signal,
    steps,
    lines,
    step: (step) => steps.push(step),
    progress: () => undefined,
    log: (line) => lines.push(line),
  };
}

function measured(lines: string[], pattern: RegExp): number {
  const match = lines.map((line) => pattern.exec(line)).find(Boolean);
  return match ? Number(match[1]) : Number.NaN;
}

async function eventually<T>(probe: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe.skipIf(reason !== null)('SshGuest on a real Tidepool workspace (Incus)', () => {
  let runtime: IncusRuntime;
  let root: string;
  let dataDir: string;
  let guest: SshGuest;
  let workspace: GuestTarget;
  let instanceName = '';

  beforeAll(async () => {
    runtime = localRuntime();
    root = mkdtempSync(join(tmpdir(), 'tidepool-guest-it-'));
    dataDir = join(root, 'data');
    const key = loadOrCreateSshKey(dataDir);
    const name = testName('guest');
    const spec = specFor(runtime, name, { sshPublicKey: key.publicKey });
    instanceName = spec.instanceName;
    await runtime.create(spec, quietContext());
    await runtime.start(spec.instanceName, quietContext());
    const address = await runtime.getIp(spec.instanceName, quietContext(), 60_000);
    if (!address) throw new Error(`${spec.instanceName} got no address`);
    workspace = { workspaceId: spec.workspaceId, name, address, preferredIdePort: null, sshAgentForwarding: false, repoUrl: null };
    guest = new SshGuest({ dataDir, settings: () => DEFAULT_SETTINGS, userSshDir: join(root, 'dot-ssh') });
  });

  afterAll(async () => {
    await guest?.dispose();
    if (instanceName) await removeQuietly(runtime, [instanceName]);
    rmSync(root, { recursive: true, force: true });
  });

  it('attaches as dev with Tidepool’s key, pins the guest’s host key and configures code-server', async () => {
    const ctx = recorder();
    const started = performance.now();
    const { idePort } = await guest.attach(workspace, ctx);
    const attachMs = performance.now() - started;
    expect(ctx.steps).toEqual(['ssh', 'configure', 'ide']);
    expect(idePort).toBeGreaterThan(0);

    // The pin is the guest's real ed25519 host key.
    const hostKey = (await guestSh(runtime, instanceName, 'cat /etc/ssh/ssh_host_ed25519_key.pub')).out.split(' ')[1];
    expect(readFileSync(join(dataDir, 'ssh', 'known_hosts'), 'utf8')).toContain(`tidepool-${workspace.name} ssh-ed25519 ${hostKey} `);

    const config = await guestSh(runtime, instanceName, 'cat ~/.config/code-server/config.yaml; stat -c %U ~/.local/share/code-server/User/settings.json', 1000);
    expect(config.out).toContain('bind-addr: 127.0.0.1:13337\nauth: none');
    expect(config.out.split('\n').pop()).toBe('dev');
    // code-server, starting up beside this read, may be rewriting the file (truncate, then write): read again
    // until it holds JSON rather than catch it half-written.
    let text = '';
    for (let attempt = 0; attempt < 10 && text.trim() === ''; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
      text = (await guestSh(runtime, instanceName, 'cat ~/.local/share/code-server/User/settings.json', 1000)).out;
    }
    const settings = JSON.parse(text) as Record<string, unknown>;
    expect(settings['window.title']).toContain(workspace.name);
    // The image's own editor defaults are still there.
    expect(settings['workbench.startupEditor']).toBe('none');

    console.info(
      `[measure] first attach on a fresh container: ${Math.round(attachMs)} ms in all; ` +
        `SSH connect (incl. waiting for sshd) ${measured(ctx.lines, /SSH connected .* in (\d+) ms/)} ms, ` +
        `configure ${measured(ctx.lines, /IDE configured in (\d+) ms/)} ms, IDE answering ${measured(ctx.lines, /IDE answered in (\d+) ms/)} ms`,
    );
  });

  it('reaches code-server through the IDE tunnel: the workbench page and a WebSocket upgrade', async () => {
    const url = guest.ideUrl(workspace.workspaceId);
    const started = performance.now();
    const first = await fetch(url, { redirect: 'manual' });
    const firstByteMs = performance.now() - started;
    await first.arrayBuffer();
    expect([200, 302]).toContain(first.status);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('workbench');
    const warmStarted = performance.now();
    const warm = await fetch(url, { redirect: 'manual' });
    const warmFirstByteMs = performance.now() - warmStarted;
    await warm.arrayBuffer();
    console.info(`[measure] IDE tunnel first byte (GET /): first request ${firstByteMs.toFixed(1)} ms, next ${warmFirstByteMs.toFixed(1)} ms`);

    const port = new URL(url).port;
    const upgraded = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/?reconnectionToken=${crypto.randomUUID()}&reconnection=false&skipWebSocketFrames=false`);
      socket.once('upgrade', (response) => resolve(response.statusCode ?? 0));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      socket.once('error', reject);
      socket.once('open', () => socket.close());
    });
    expect(upgraded).toBe(101);
  });

  it('opens a terminal as dev: output, resize, Ctrl-C', async () => {
    let text = '';
    let exit: number | null | undefined;
    const id = await guest.openTerminal(workspace.workspaceId, { cols: 90, rows: 25 }, {
      onData: (data) => (text += data),
      onExit: (code) => (exit = code),
    });
    const shows = (pattern: RegExp) =>
      eventually(async () => {
        if (!pattern.test(text)) throw new Error(`no ${pattern} in ${JSON.stringify(text.slice(-300))}`);
      }, 10_000);
    guest.writeTerminal(id, 'echo "$(whoami)-$((6*7))"; stty size\r');
    await shows(/dev-42/);
    await shows(/^25 90\r?$/m);
    guest.resizeTerminal(id, { cols: 120, rows: 40 });
    guest.writeTerminal(id, 'stty size\r');
    await shows(/^40 120\r?$/m);
    guest.writeTerminal(id, 'sleep 30; echo slept-$((9*9))\r');
    await new Promise((resolve) => setTimeout(resolve, 500));
    guest.writeTerminal(id, '\u0003echo after-$((1+1))\r');
    await shows(/after-2/);
    expect(text).not.toContain('slept-81');
    guest.writeTerminal(id, 'exit 4\r');
    await eventually(async () => {
      if (exit === undefined) throw new Error('still open');
    });
    expect(exit).toBe(4);
  });

  it('lists a server started in the guest and forwards it to 127.0.0.1 on this computer', async () => {
    const start = await guestSh(
      runtime,
      instanceName,
      `setsid -f /usr/local/bin/node -e "require('http').createServer((q, s) => s.end('hello from ' + require('os').hostname())).listen(4173, '127.0.0.1')" </dev/null >/dev/null 2>&1`,
      1000,
    );
    expect(start.exitCode).toBe(0);
    const listed = await eventually(async () => {
      const ports = await guest.listGuestPorts(workspace.workspaceId);
      if (!ports.some((port) => port.port === 4173)) throw new Error(JSON.stringify(ports));
      return ports;
    });
    expect(listed.find((port) => port.port === 4173)).toEqual({ port: 4173, address: '127.0.0.1', process: 'node' });

    // sshd and code-server are Tidepool's own, not the user's to forward.
    expect(listed.map((port) => port.port)).not.toContain(13337);
    expect(listed.map((port) => port.port)).not.toContain(22);

    const forward = await guest.forwardPort(workspace.workspaceId, 4173);
    const body = await (await fetch(forward.url)).text();
    expect(body).toMatch(/^hello from /);
    await guest.unforwardPort(workspace.workspaceId, 4173);
    expect(await refused(forward.hostPort)).toBe(true);
  });

  it('reconnects after the connection is cut in the guest; tunnel and terminals work again', async () => {
    const url = guest.ideUrl(workspace.workspaceId);
    let exit: number | null | undefined;
    await guest.openTerminal(workspace.workspaceId, { cols: 80, rows: 24 }, { onData: () => undefined, onExit: (code) => (exit = code) });
    // Kill the sshd processes that hold established connections on port 22 (only ours exist in this container).
    const cut = await guestSh(
      runtime,
      instanceName,
      "for pid in $(ss -Htnp state established '( sport = :22 )' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do kill -9 $pid; done",
    );
    expect(cut.exitCode).toBe(0);
    const cutAt = performance.now();
    await eventually(async () => {
      if (exit === undefined) throw new Error('terminal still open');
    }, 60_000);
    expect(exit).toBeNull();
    const page = await eventually(async () => {
      const response = await fetch(url);
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      return response.text();
    }, 60_000);
    expect(page).toContain('workbench');
    console.info(`[measure] IDE reachable again ${Math.round(performance.now() - cutAt)} ms after the connection was cut`);
    let text = '';
    const id = await guest.openTerminal(workspace.workspaceId, { cols: 80, rows: 24 }, { onData: (data) => (text += data), onExit: () => undefined });
    guest.writeTerminal(id, 'echo back-$((2+2))\r');
    await eventually(async () => {
      if (!text.includes('back-4')) throw new Error(text);
    }, 10_000);
    guest.closeTerminal(id);
  });

  it('re-attaches quickly once set up: no code-server restart, same IDE port; plain ssh works via the config', async () => {
    const before = guest.ideUrl(workspace.workspaceId);
    const port = Number(new URL(before).port);
    await guest.detach(workspace.workspaceId);
    expect(await refused(port)).toBe(true);
    const ctx = recorder();
    const started = performance.now();
    const { idePort } = await guest.attach({ ...workspace, preferredIdePort: port }, ctx);
    const attachMs = performance.now() - started;
    expect(idePort).toBe(port);
    expect(ctx.lines.some((line) => line.includes('code-server restarted'))).toBe(false);
    console.info(
      `[measure] re-attach to a running workspace: ${Math.round(attachMs)} ms in all; ` +
        `SSH connect ${measured(ctx.lines, /SSH connected .* in (\d+) ms/)} ms, configure ${measured(ctx.lines, /IDE configured in (\d+) ms/)} ms`,
    );

    const info = await guest.sshInfo(workspace.workspaceId, workspace.name);
    const out = execFileSync('ssh', ['-F', info.configPath, '-o', 'BatchMode=yes', info.hostAlias, 'whoami'], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim()).toBe('dev');
    expect(await guest.checkIde(workspace.workspaceId)).toEqual({ state: 'ok' });
  });

  it('refuses the workspace once its host key has changed', async () => {
    await guest.detach(workspace.workspaceId);
    const rekey = await guestSh(runtime, instanceName, 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && systemctl restart ssh');
    expect(rekey.exitCode).toBe(0);
    const error = await guest.attach(workspace, recorder()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TidepoolError);
    expect((error as TidepoolError).code).toBe('HOST_KEY_CHANGED');
    // OpenSSH with Tidepool's config refuses it too: the same pin.
    const info = await guest.sshInfo(workspace.workspaceId, workspace.name);
    expect(() => execFileSync('ssh', ['-F', info.configPath, '-o', 'BatchMode=yes', info.hostAlias, 'true'], { stdio: 'pipe', timeout: 30_000 })).toThrow(
      /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
    );
  });
});
