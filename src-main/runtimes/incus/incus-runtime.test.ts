import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TidepoolError } from '../../../src-shared/errors.js';
import { DEFAULT_SETTINGS } from '../../settings.js';
import { FakeIncusServer, operation, sendAsync, sendError, sendSync } from './fake-incus-server.js';
import { inotifyWarning, IncusRuntime } from './incus-runtime.js';

let server: FakeIncusServer;
let dataDir: string;
let runtime: IncusRuntime;

beforeEach(async () => {
  server = await new FakeIncusServer().start();
  dataDir = mkdtempSync(join(tmpdir(), 'tp-incus-rt-'));
  const settings = { ...DEFAULT_SETTINGS, incus: { socketPath: server.socketPath, remotes: [], activeRemote: null } };
  runtime = new IncusRuntime({ dataDir, settings: () => settings });
  server
    .on('GET', /^\/1\.0$/, (_req, res) => sendSync(res, { auth: 'trusted', environment: { driver: 'lxc', server_version: '6.0.4' } }))
    .on('GET', /^\/1\.0\/warnings/, (_req, res) =>
      sendSync(res, [{ type: 'Instance type not operational', last_message: 'vhost_vsock kernel module not loaded', status: 'new' }]),
    )
    .on('GET', /^\/1\.0\/storage-pools\/tidepool$/, (_req, res) => sendSync(res, { name: 'tidepool', driver: 'dir', config: {}, used_by: [] }))
    .on('GET', /^\/1\.0\/networks\/tidepoolbr0$/, (_req, res) => sendSync(res, { name: 'tidepoolbr0', type: 'bridge', managed: true, config: {} }))
    .on('GET', /^\/1\.0\/resources$/, (_req, res) => sendSync(res, { cpu: { total: 2 }, memory: { total: 4 * 1024 ** 3, used: 0 } }));
});

afterEach(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const spec = {
  instanceName: 'tp-web',
  workspaceId: '6f1c1a52-3b55-4d43-9a8e-6a3c2c1b0d11',
  workspaceName: 'web',
  kind: 'container' as const,
  image: 'tidepool/0.1.0',
  resources: { cpus: 2, memoryMiB: 2048, diskGiB: 10 },
  network: { mode: 'isolated' as const },
  sshPublicKey: 'ssh-ed25519 AAAA test',
};
const ctx = { signal: new AbortController().signal, progress: () => undefined, log: () => undefined };

describe('IncusRuntime against a fake server', () => {
  it('reports VMs as unavailable with the server’s own reason and containers as available', async () => {
    const capabilities = await runtime.capabilities();
    expect(capabilities.kinds.container).toEqual({ available: true });
    expect(capabilities.kinds.vm.available).toBe(false);
    expect(capabilities.kinds.vm.reason).toMatch(/vhost_vsock kernel module not loaded/);
    expect(capabilities.kinds.vm.reason).toMatch(/Use a container workspace/);
  });

  it('warns in inspect() that a dir pool copies the whole image per workspace', async () => {
    const info = await runtime.inspect();
    expect(info.available).toBe(true);
    expect(info.version).toBe('6.0.4');
    expect(info.warnings.join(' ')).toMatch(/dir driver.*9 s.*2\.3 s/);
  });

  it('refuses a VM where the server cannot run one, and changes nothing', async () => {
    const error = (await runtime.create({ ...spec, kind: 'vm' }, ctx).catch((caught: unknown) => caught)) as TidepoolError;
    expect(error.code).toBe('RUNTIME_UNAVAILABLE');
    expect(error.hint).toMatch(/vhost_vsock/);
    expect(server.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('refuses resources beyond what the server has, naming the limit', async () => {
    const error = (await runtime
      .create({ ...spec, resources: { cpus: 8, memoryMiB: 65536, diskGiB: 10 } }, ctx)
      .catch((caught: unknown) => caught)) as TidepoolError;
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.fields?.['resources.cpus']).toBe('This server has 2 CPUs; use at most 2.');
    expect(error.fields?.['resources.memoryMiB']).toBe('This server has 4096 MiB of memory; use at most 4096 MiB.');
    expect(server.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('reports an instance Incus does not know as missing', async () => {
    server.on('GET', /^\/1\.0\/instances\/tp-gone\/state$/, (_req, res) => sendError(res, 404, 'Instance not found'));
    expect(await runtime.status('tp-gone')).toEqual({ state: 'missing' });
  });

  it('lists only instances that carry Tidepool’s marks', async () => {
    server.on('GET', /^\/1\.0\/instances\?recursion=1$/, (_req, res) =>
      sendSync(res, [
        { name: 'tp-web', status: 'Running', status_code: 103, config: { 'user.tidepool.managed': 'true', 'user.tidepool.workspace-id': spec.workspaceId, 'user.tidepool.workspace-name': 'web' } },
        { name: 'someone-elses', status: 'Stopped', status_code: 102, config: {} },
      ]),
    );
    expect(await runtime.list()).toEqual([{ instanceName: 'tp-web', state: 'running', workspaceId: spec.workspaceId, workspaceName: 'web' }]);
  });
});

describe('IncusRuntime while a container is going down', () => {
  it('waits out Incus’s brief “Invalid PID” answer after a container’s init died, then reports it stopped', async () => {
    let asked = 0;
    server.on('GET', /^\/1\.0\/instances\/tp-web\/state$/, (_req, res) => {
      asked += 1;
      if (asked <= 2) sendError(res, 500, "Invalid PID '\u0000'");
      else sendSync(res, { status: 'Stopped', status_code: 102, pid: 0 });
    });
    expect(await runtime.status('tp-web')).toEqual({ state: 'stopped' });
    expect(asked).toBe(3);
  });

  it('still fails at once on any other error', async () => {
    server.on('GET', /^\/1\.0\/instances\/tp-web\/state$/, (_req, res) => sendError(res, 500, 'database is locked'));
    const error = (await runtime.status('tp-web').catch((caught: unknown) => caught)) as TidepoolError;
    expect(error.code).toBe('RUNTIME_ERROR');
    expect(error.detail).toBe('database is locked');
  });
});

describe('IncusRuntime when another operation holds the instance', () => {
  it('waits for a create that a killed Tidepool started, then deletes the instance and its home', async () => {
    let deletes = 0;
    server
      .on('GET', /^\/1\.0\/instances\/tp-web$/, (_req, res) => sendSync(res, { name: 'tp-web', status: 'Stopped', status_code: 102, config: {} }))
      .on('DELETE', /^\/1\.0\/instances\/tp-web$/, (_req, res) => {
        deletes += 1;
        if (deletes <= 2) sendError(res, 400, 'Failed to create instance delete operation: Instance is busy running a "create" operation');
        else sendAsync(res, operation('del1', 103));
      })
      .on('GET', /^\/1\.0\/operations\/del1\/wait/, (_req, res) => sendSync(res, operation('del1', 200)))
      .on('DELETE', /^\/1\.0\/storage-pools\/tidepool\/volumes\/custom\/tp-web-home$/, (_req, res) => sendSync(res, {}));
    await runtime.delete('tp-web', ctx);
    expect(deletes).toBe(3);
    expect(server.requests.some((request) => request.method === 'DELETE' && request.path.endsWith('/tp-web-home'))).toBe(true);
  });

  it('takes the same action finished by the other operation as done (a delete a killed Tidepool started)', async () => {
    server
      .on('GET', /^\/1\.0\/instances\/tp-web$/, (_req, res) => sendSync(res, { name: 'tp-web', status: 'Stopped', status_code: 102, config: {} }))
      .on('DELETE', /^\/1\.0\/instances\/tp-web$/, (_req, res) =>
        sendError(res, 500, 'Failed to create instance delete operation: A matching non-reusable operation has now succeeded'),
      )
      .on('DELETE', /^\/1\.0\/storage-pools\/tidepool\/volumes\/custom\/tp-web-home$/, (_req, res) => sendSync(res, {}));
    await runtime.delete('tp-web', ctx);
    expect(server.requests.some((request) => request.method === 'DELETE' && request.path.endsWith('/tp-web-home'))).toBe(true);
  });

  it('takes an instance that vanished meanwhile (a delete already under way) as deleted', async () => {
    server
      .on('GET', /^\/1\.0\/instances\/tp-web$/, (_req, res) => sendSync(res, { name: 'tp-web', status: 'Stopped', status_code: 102, config: {} }))
      .on('DELETE', /^\/1\.0\/instances\/tp-web$/, (_req, res) => sendError(res, 404, 'Instance not found'))
      .on('DELETE', /^\/1\.0\/storage-pools\/tidepool\/volumes\/custom\/tp-web-home$/, (_req, res) => sendError(res, 404, 'Storage volume not found'));
    await expect(runtime.delete('tp-web', ctx)).resolves.toBeUndefined();
  });

  it('takes a delete operation that failed because the instance vanished while it ran as done, and removes the home', async () => {
    server
      .on('GET', /^\/1\.0\/instances\/tp-web$/, (_req, res) => sendSync(res, { name: 'tp-web', status: 'Stopped', status_code: 102, config: {} }))
      .on('DELETE', /^\/1\.0\/instances\/tp-web$/, (_req, res) => sendAsync(res, operation('del2', 103)))
      .on('GET', /^\/1\.0\/operations\/del2\/wait/, (_req, res) => sendSync(res, { ...operation('del2', 400), err: 'Instance not found' }))
      .on('DELETE', /^\/1\.0\/storage-pools\/tidepool\/volumes\/custom\/tp-web-home$/, (_req, res) => sendSync(res, {}));
    await expect(runtime.delete('tp-web', ctx)).resolves.toBeUndefined();
    expect(server.requests.some((request) => request.method === 'DELETE' && request.path.endsWith('/tp-web-home'))).toBe(true);
  });
});

/** Incus answering everything configure() asks while it applies a workspace's network policy. */
function serveNetworkPolicy(others: object[] = []): void {
  server
    .on('GET', /^\/1\.0\/instances\/tp-web$/, (_req, res) => sendSync(res, { name: 'tp-web', status: 'Running', status_code: 103, config: { 'user.tidepool.managed': 'true' } }))
    .on('PATCH', /^\/1\.0\/instances\/tp-web$/, (_req, res) => sendSync(res, {}))
    .on('GET', /^\/1\.0\/instances\?recursion=2$/, (_req, res) =>
      sendSync(res, [
        { name: 'tp-web', status: 'Running', status_code: 103, config: { 'user.tidepool.managed': 'true', 'user.tidepool.workspace-name': 'web' }, state: null },
        ...others,
      ]),
    )
    .on('GET', /^\/1\.0\/networks\?recursion=1$/, (_req, res) => sendSync(res, []))
    .on('GET', /^\/1\.0\/networks\/tidepoolbr0$/, (_req, res) => sendSync(res, { name: 'tidepoolbr0', type: 'bridge', managed: true, config: { 'ipv4.address': '10.9.9.1/24' } }))
    .on('GET', /^\/1\.0\/network-acls\?recursion=1$/, (_req, res) => sendSync(res, []))
    .on('GET', /^\/1\.0\/network-acls\/[^?]+$/, (_req, res) => sendError(res, 404, 'Network ACL not found'))
    .on('POST', /^\/1\.0\/network-acls$/, (_req, res) => sendSync(res, {}))
    .on('PATCH', /^\/1\.0\/networks\/tidepoolbr0$/, (_req, res) => sendSync(res, {}));
}

describe('IncusRuntime applying a network policy', () => {
  it('applies it although Incus lists an instance it cannot load yet (config null)', async () => {
    // What Incus 6.0 answers for an instance in the middle of its create or delete.
    serveNetworkPolicy([{ name: 'tp-other', status: 'Error', status_code: 112, config: null, devices: null, profiles: null, state: null }]);
    await expect(runtime.configure('tp-web', { network: { mode: 'isolated' } }, ctx)).resolves.toBeUndefined();
    expect(server.requests.some((request) => request.method === 'PATCH' && request.path === '/1.0/networks/tidepoolbr0')).toBe(true);
  });

  it('says in the log that allowed IPv6 networks stay out of reach (the workspace network is IPv4 only)', async () => {
    serveNetworkPolicy();
    const lines: { line: string; level?: string }[] = [];
    await runtime.configure('tp-web', { network: { mode: 'allow-list', allow: ['198.51.100.0/24', '2001:db8::/32'] } }, { ...ctx, log: (line, level) => lines.push({ line, level }) });
    const warnings = lines.filter((entry) => entry.level === 'warn').map((entry) => entry.line);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('2001:db8::/32');
    expect(warnings[0]).not.toContain('198.51.100.0/24');
  });
});

describe('IncusRuntime on a remote server that does not answer', () => {
  it('says which server cannot be reached and how to go back to this computer, not how to install Incus', async () => {
    const remote = { name: 'team', url: 'https://127.0.0.1:1', serverFingerprint: 'ab'.repeat(32) };
    const settings = { ...DEFAULT_SETTINGS, incus: { socketPath: null, remotes: [remote], activeRemote: 'team' } };
    const info = await new IncusRuntime({ dataDir, settings: () => settings }).inspect();
    expect(info.available).toBe(false);
    expect(info.setup[0]).toMatchObject({ title: 'Reach the Incus server “team”', ok: false, command: 'tidepool remote use local' });
    expect(info.setup[0]?.detail).toContain('127.0.0.1:1');
  });
});

describe('the host limit that many containers share', () => {
  it('warns when the inotify budget allows only a handful of workspaces, saying how to raise it', () => {
    expect(inotifyWarning(128)).toMatch(/allows 128 inotify instances .* about 16 running workspaces: one more would start without a network address\. Run `sudo scripts\/setup-incus\.sh` to raise it to 1024\./);
    expect(inotifyWarning(1024)).toBeNull();
    expect(inotifyWarning(null)).toBeNull();
  });
});
