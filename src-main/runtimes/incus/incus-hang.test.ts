/**
 * An Incus that stops answering (incusd stuck on a lock, a remote behind a dead link): every call ends with
 * TIMEOUT within its deadline, or CANCELLED as soon as the user cancels, never a hang; and the core turns
 * that into a visible state. What the client tests already cover (a plain request never answered, a
 * cancelled request, an operation outliving its wait) is not repeated here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { TidepoolError } from '../../../src-shared/errors.js';
import { createCore, type Core } from '../../core.js';
import { DEFAULT_SETTINGS } from '../../settings.js';
import { MemoryStateStore } from '../../store/state-store.js';
import { FakeIncusServer, operation, sendAsync, sendError, sendSync } from './fake-incus-server.js';
import { IncusClient } from './incus-client.js';
import { readImageVersion } from './incus-images.js';
import { execInstance } from './incus-exec.js';
import { IncusRuntime } from './incus-runtime.js';

let server: FakeIncusServer;
let client: IncusClient;

beforeEach(async () => {
  server = await new FakeIncusServer().start();
  client = new IncusClient({ kind: 'unix', socketPath: server.socketPath }, { requestTimeoutMs: 300 });
});
afterEach(async () => {
  await server.stop();
});

async function failure(promise: Promise<unknown>): Promise<TidepoolError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TidepoolError);
  return error as TidepoolError;
}

/** An exec whose streams connect but whose command never ends (no output, no end marker, no exit). */
function endlessCommand(): { controlMessages: string[]; closed: () => number } {
  const controlMessages: string[] = [];
  let closed = 0;
  server
    .on('POST', /^\/1\.0\/instances\/ws1\/exec$/, (_req, res) =>
      sendAsync(res, operation('ex1', 103, { metadata: { fds: { '0': 's0', '1': 's1', '2': 's2', control: 'sc' } } })),
    )
    .on('GET', /^\/1\.0\/operations\/ex1\/wait/, () => undefined)
    .on('DELETE', /^\/1\.0\/operations\/ex1$/, (_req, res) => sendSync(res, {}))
    .onWebSocket((path, socket: WebSocket) => {
      const secret = new URL(path, 'http://x').searchParams.get('secret');
      if (secret === 'sc') socket.on('message', (data: Buffer) => controlMessages.push(data.toString()));
      socket.on('close', () => (closed += 1));
    });
  return { controlMessages, closed: () => closed };
}

describe('exec on an Incus that never finishes the command', () => {
  it('ends with TIMEOUT at the exec’s deadline, kills the command and closes its streams', async () => {
    const endless = endlessCommand();
    const started = Date.now();
    const error = await failure(execInstance(client, 'ws1', { command: ['sleep', 'infinity'], timeoutMs: 500 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/sleep/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect.poll(() => endless.controlMessages).toContainEqual(JSON.stringify({ command: 'signal', signal: 9 }));
    await expect.poll(() => endless.closed()).toBe(4);
  });

  it('ends with CANCELLED as soon as the caller cancels', async () => {
    endlessCommand();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(execInstance(client, 'ws1', { command: ['sleep', 'infinity'], timeoutMs: 60_000, signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('an Incus that accepts a connection and then says nothing', () => {
  let silent: http.Server;
  const connections = new Set<import('node:net').Socket>();
  let dir: string;
  let silentClient: IncusClient;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-silent-incus-'));
    // Reads requests and upgrade requests, answers none of them.
    silent = http.createServer(() => undefined);
    silent.on('upgrade', () => undefined);
    silent.on('connection', (socket) => connections.add(socket));
    await new Promise<void>((resolve) => silent.listen(join(dir, 'unix.socket'), resolve));
    silentClient = new IncusClient({ kind: 'unix', socketPath: join(dir, 'unix.socket') }, { requestTimeoutMs: 300 });
  });
  afterEach(async () => {
    for (const socket of connections) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('times out a websocket whose upgrade is never answered', async () => {
    const started = Date.now();
    const error = await failure(silentClient.websocket('/1.0/operations/x/websocket?secret=s'));
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('times out the wait for an operation whose wait and status are never answered (not a runtime error)', async () => {
    server
      .on('POST', /^\/1\.0\/instances$/, (_req, res) => sendAsync(res, operation('op9', 103)))
      .on('GET', /^\/1\.0\/operations\/op9/, () => undefined)
      .on('DELETE', /^\/1\.0\/operations\/op9$/, (_req, res) => sendSync(res, {}));
    const started = Date.now();
    const error = await failure(client.run('POST', '/1.0/instances', { body: {}, waitTimeoutMs: 1_000, action: 'create x' }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/did not answer GET \/1\.0\/operations\/op9\/wait/);
    expect(Date.now() - started).toBeLessThan(3_000);
    // Given up on, so not left running on the server either.
    await expect.poll(() => server.requests.some((request) => request.method === 'DELETE' && request.path === '/1.0/operations/op9')).toBe(true);
  });
});

describe('the core over a hanging Incus', () => {
  let core: Core;
  let dataDir: string;

  async function coreOnFakeIncus(stepDeadlinesMs: Record<string, number> = {}): Promise<Core> {
    dataDir = mkdtempSync(join(tmpdir(), 'tp-hang-core-'));
    const settings = { ...DEFAULT_SETTINGS, incus: { socketPath: server.socketPath, remotes: [], activeRemote: null } };
    const runtime = new IncusRuntime({
      dataDir,
      settings: () => settings,
      client: (endpoint) => new IncusClient(endpoint, { requestTimeoutMs: 300 }),
    });
    return createCore({ dataDir, store: new MemoryStateStore(), platform: 'linux', runtimes: [runtime], runtimeOverride: 'incus', healthIntervalMs: 0, stepDeadlinesMs });
  }

  /** Everything a create asks before the instance is made, answered; the instance create hangs. */
  function answerUpToTheCreate(): void {
    const image = `tidepool/${readImageVersion()}`;
    server
      .on('GET', /^\/1\.0$/, (_req, res) => sendSync(res, { auth: 'trusted', environment: { driver: 'lxc', server_version: '6.0.4' } }))
      .on('GET', /^\/1\.0\/warnings/, (_req, res) => sendSync(res, []))
      .on('GET', /^\/1\.0\/resources$/, (_req, res) => sendSync(res, { cpu: { total: 4 }, memory: { total: 8 * 1024 ** 3, used: 0 } }))
      .on('GET', /^\/1\.0\/storage-pools\/tidepool(\/resources)?$/, (_req, res) => sendSync(res, { name: 'tidepool', driver: 'btrfs', config: {}, used_by: [], space: { used: 0, total: 0 } }))
      .on('GET', /^\/1\.0\/images\/aliases/, (_req, res) => sendSync(res, [{ name: image, target: 'abc' }]))
      .on('GET', /^\/1\.0\/images\/abc/, (_req, res) => sendSync(res, { fingerprint: 'abc', size: 1, properties: {}, aliases: [{ name: image }], created_at: new Date().toISOString() }))
      .on('GET', /^\/1\.0\/networks\/tidepoolbr0$/, (_req, res) => sendSync(res, { name: 'tidepoolbr0', type: 'bridge', managed: true, config: { 'ipv4.address': '10.9.9.1/24' } }))
      .on('GET', /^\/1\.0\/networks\?recursion=1$/, (_req, res) => sendSync(res, []))
      .on('GET', /^\/1\.0\/network-acls\?recursion=1$/, (_req, res) => sendSync(res, []))
      .on('GET', /^\/1\.0\/network-acls\/[^?]+$/, (_req, res) => sendError(res, 404, 'Network ACL not found'))
      .on('POST', /^\/1\.0\/network-acls$/, (_req, res) => sendSync(res, {}))
      .on('PATCH', /^\/1\.0\/networks\/tidepoolbr0$/, (_req, res) => sendSync(res, {}))
      .on('GET', /^\/1\.0\/instances\?recursion=2$/, (_req, res) => sendSync(res, []))
      .on('GET', /^\/1\.0\/instances\/tp-web\/state$/, (_req, res) => sendError(res, 404, 'Instance not found'))
      .on('GET', /^\/1\.0\/storage-pools\/tidepool\/volumes\/custom\/tp-web-home$/, (_req, res) => sendSync(res, { name: 'tp-web-home', config: {} }))
      .on('POST', /^\/1\.0\/instances$/, (_req, res) => sendAsync(res, operation('mk1', 103)))
      .on('GET', /^\/1\.0\/operations\/mk1/, () => undefined)
      .on('DELETE', /^\/1\.0\/operations\/mk1$/, (_req, res) => sendSync(res, {}));
  }

  afterEach(async () => {
    await core?.workspaces.drain();
    await core?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a create within seconds when Incus does not answer at all, saying so, recording nothing', async () => {
    server.on('GET', /.*/, () => undefined);
    core = await coreOnFakeIncus();
    const started = Date.now();
    const error = await failure(core.workspaces.create({ name: 'web' }));
    // The runtime check (inspect, 5 s) finds Incus not answering before anything is made.
    expect(error.code).toBe('RUNTIME_UNAVAILABLE');
    expect(`${error.message} ${error.hint ?? ''}`).toMatch(/did not answer|not answering|not running|setup-incus/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(core.workspaces.list()).toEqual([]);
  });

  it('a create hung inside Incus can be cancelled: the workspace is rolled back', async () => {
    answerUpToTheCreate();
    core = await coreOnFakeIncus();
    const created = await core.workspaces.create({ name: 'web', runtime: 'incus' });
    await expect.poll(() => server.requests.some((request) => request.method === 'POST' && request.path === '/1.0/instances')).toBe(true);
    const started = Date.now();
    core.workspaces.cancel(created.id);
    await core.workspaces.settled(created.id);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(core.workspaces.list()).toEqual([]);
    await expect.poll(() => server.requests.some((request) => request.method === 'DELETE' && request.path === '/1.0/operations/mk1')).toBe(true);
  });

  it('a create hung inside Incus ends at the step’s deadline with TIMEOUT, shown on the workspace', async () => {
    answerUpToTheCreate();
    core = await coreOnFakeIncus({ provision: 1_000 });
    const created = await core.workspaces.create({ name: 'web', runtime: 'incus' });
    await core.workspaces.settled(created.id);
    expect(core.workspaces.get(created.id)).toMatchObject({ state: 'error', lastError: { code: 'TIMEOUT', step: 'provision' } });
    expect(core.workspaces.get(created.id).lastError?.message).toMatch(/did not finish within 1 s/);
  });
});
