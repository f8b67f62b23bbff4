/**
 * The local socket the CLI uses to reach a running app or server: owner-only, one holder per data folder,
 * the contract's messages as JSON lines, and a real `tidepool` command going through it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src-shared/workspace.js';
import { createHandlers } from '../api/handlers.js';
import { EXIT } from '../cli/exit-codes.js';
import { runCli } from '../cli/testing/run-cli.js';
import { simulatedHarness, type Harness } from '../workspaces/test-harness.js';
import { attachLocalSocket, localSocketPath, type LocalSocketServer } from './local-socket.js';

let harness: Harness;
let socket: LocalSocketServer;

beforeAll(async () => {
  harness = await simulatedHarness();
  socket = await attachLocalSocket({
    socketPath: localSocketPath(harness.core.dataDir),
    handlers: createHandlers(harness.core),
    events: harness.core.events,
  });
});
afterAll(async () => {
  await socket.close();
  await harness.core.workspaces.drain();
  await harness.core.dispose();
});

describe('local socket', () => {
  it('is owner-only (0600) in the data folder', () => {
    const stat = statSync(socket.path);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
  });

  it('refuses a second holder for the same data folder', async () => {
    await expect(
      attachLocalSocket({ socketPath: socket.path, handlers: createHandlers(harness.core), events: harness.core.events }),
    ).rejects.toMatchObject({ code: 'BUSY' });
  });

  it('takes over a socket file left by a process that died', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'tidepool-stale-'));
    const path = join(folder, 'tidepool.sock');
    try {
      await new Promise<void>((resolve) => {
        const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
        child.once('exit', () => resolve());
      });
      expect(existsSync(path)).toBe(true);
      const taken = await attachLocalSocket({ socketPath: path, handlers: createHandlers(harness.core), events: harness.core.events });
      await taken.close();
      expect(existsSync(path)).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('answers calls and pushes events as JSON lines', async () => {
    const client = connect(socket.path);
    const lines: Record<string, unknown>[] = [];
    let buffer = '';
    client.on('data', (chunk) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts.map((line) => JSON.parse(line) as Record<string, unknown>));
    });
    await new Promise((resolve) => client.once('connect', resolve));
    client.write(`${JSON.stringify({ type: 'call', id: 7, method: 'createWorkspace', payload: { name: 'through-socket', runtime: 'simulated' } })}\n`);
    const workspace = await waitFor(() => lines.find((line) => line.type === 'result' && line.id === 7));
    expect(workspace).toMatchObject({ result: { ok: true, value: { name: 'through-socket' } } });
    await waitFor(() => lines.find((line) => line.type === 'event' && line.event === 'progress' && (line.payload as { done: boolean }).done));
    client.write('not json\n');
    await new Promise((resolve) => client.once('close', resolve));
  });

  it('carries a real tidepool command: the CLI sees the state of the process that holds the socket', async () => {
    // The harness keeps its workspaces in memory: only a call through the socket can list them.
    const run = await runCli(['--data-dir', harness.core.dataDir, 'ls', '--json']);
    expect(run.code).toBe(EXIT.ok);
    const names = (JSON.parse(run.stdout) as Workspace[]).map((workspace) => workspace.name);
    expect(names).toContain('through-socket');
  }, 30_000);

  it('lets `create --no-wait` return at once while the holder carries the work on', async () => {
    const run = await runCli(['--data-dir', harness.core.dataDir, '--json', 'create', 'later', '--no-wait']);
    expect(run.code).toBe(EXIT.ok);
    const created = JSON.parse(run.stdout) as Workspace;
    expect(created).toMatchObject({ name: 'later', state: 'creating' });
    await harness.core.workspaces.settled(created.id);
    expect(harness.core.workspaces.get(created.id).state).toBe('ready');
  }, 30_000);
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
