import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import type { NetworkPolicy } from '../../../src-shared/workspace.js';
import { DEFAULT_SETTINGS } from '../../settings.js';
import type { InstanceSpec, OperationContext } from '../runtime.js';
import { makeFakeTart, makeImagesDir, type FakeTart, type FakeTartControl } from './fake-tart/fake-tart-home.js';
import { TartRuntime } from './tart-runtime.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZha2Uga2V5IGZvciB0ZXN0cw tidepool';
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface Setup {
  fake: FakeTart;
  runtime: TartRuntime;
  dataDir: string;
  ctx: OperationContext;
  logs: string[];
}

function setup(
  options: { control?: FakeTartControl; tart?: boolean; softnet?: boolean; platform?: string; checkLocalNetwork?: (a: string) => Promise<void> } = {},
): Setup {
  const fake = makeFakeTart({ tart: options.tart ?? true, softnet: options.softnet ?? true });
  const dataDir = mkdtempSync(join(tmpdir(), 'tidepool-tart-data-'));
  const imagesDir = makeImagesDir('0.1.0');
  cleanups.push(() => {
    fake.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(imagesDir, { recursive: true, force: true });
  });
  if (options.tart ?? true) fake.tart('create', 'tidepool-0.1.0', '--linux', '--disk-size', '20');
  if (options.control) fake.control(options.control);
  const settings = { ...DEFAULT_SETTINGS, tart: { home: fake.home } };
  const runtime = new TartRuntime({
    dataDir,
    settings: () => settings,
    platform: options.platform ?? 'linux',
    arch: 'arm64',
    basePath: fake.path,
    env: { HOME: dataDir, USER: 'tester' },
    imagesDir,
    timings: { pollMs: 50, bootMs: 5000, hardStopSeconds: 2, settleMs: 300 },
    ...(options.checkLocalNetwork ? { checkLocalNetwork: options.checkLocalNetwork } : {}),
  });
  const logs: string[] = [];
  const ctx: OperationContext = { signal: new AbortController().signal, progress: () => undefined, log: (line) => logs.push(line) };
  return { fake, runtime, dataDir, ctx, logs };
}

function spec(network: NetworkPolicy = { mode: 'isolated' }, name = 'web'): InstanceSpec {
  return {
    instanceName: `tp-${name}`,
    workspaceId: '2f1c8a5e-3b7d-4e0a-9c61-0d5f8b2a7e43',
    workspaceName: name,
    kind: 'vm',
    image: 'tidepool-0.1.0',
    resources: { cpus: 2, memoryMiB: 2048, diskGiB: 30 },
    network,
    sshPublicKey: KEY,
  };
}

async function failure(promise: Promise<unknown>): Promise<TidepoolError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TidepoolError);
  return error as TidepoolError;
}

/** The invocations of one subcommand, in order. */
const calls = (fake: FakeTart, command: string) => fake.argvs().filter((argv) => argv[0] === command);

describe('TartRuntime happy path on the fake tart', () => {
  it('creates, starts, finds the address, stops gracefully and deletes, with the exact argv', async () => {
    const { fake, runtime, dataDir, ctx } = setup();
    const share = join(dataDir, 'tart', 'vms', 'tp-web', 'share');

    await runtime.create(spec(), ctx);
    expect(fake.argvs()).toEqual([
      ['--version'],
      ['list', '--source', 'local', '--format', 'json'],
      ['clone', 'tidepool-0.1.0', 'tp-web'],
      ['get', 'tp-web', '--format', 'json'],
      // 30 GiB are 32.2 GB: Tart counts decimal GB, rounded up so the guest gets at least what was asked.
      ['set', 'tp-web', '--cpu', '2', '--memory', '2048', '--random-mac', '--disk-size', '33'],
    ]);
    expect(readFileSync(join(share, 'authorized_keys'), 'utf8')).toBe(`${KEY}\n`);
    expect(readFileSync(join(share, 'hostname'), 'utf8')).toBe('web\n');
    for (const { env } of fake.invocations()) {
      expect(env).toMatchObject({ CI: '1', TART_NO_AUTO_PRUNE: '1', TART_HOME: fake.home });
      expect(env.PATH!.split(':')).toEqual(expect.arrayContaining(['/opt/homebrew/bin', '/usr/local/bin']));
    }
    const info = JSON.parse(fake.tart('get', 'tp-web', '--format', 'json').stdout);
    expect(info).toMatchObject({ CPU: 2, Memory: 2048, Disk: 33 });

    fake.clearInvocations();
    await runtime.start('tp-web', ctx);
    expect(calls(fake, 'run')).toEqual([['run', 'tp-web', '--no-graphics', '--net-softnet', '--dir', `${share}:ro,tag=tidepool`]]);
    expect(await runtime.status('tp-web')).toEqual({ state: 'running' });
    // The guest's first-boot unit finds the key and hostname at the root of the `tidepool` share.
    expect(fake.shares('tp-web')).toEqual({ tidepool: { readOnly: true, root: ['authorized_keys', 'hostname'] } });

    const address = await runtime.getIp('tp-web', ctx, 5000);
    expect(address).toMatch(/^192\.168\.64\.\d+$/);
    expect(calls(fake, 'ip')).toEqual([['ip', 'tp-web', '--wait', '5']]);

    fake.clearInvocations();
    await runtime.stop('tp-web', ctx, { timeoutMs: 5000 });
    expect(await runtime.status('tp-web')).toEqual({ state: 'stopped' });
    expect(calls(fake, 'stop')).toEqual([]); // the power button sufficed: no hard power-off
    const log = readFileSync(join(dataDir, 'tart', 'vms', 'tp-web', 'run.log'), 'utf8');
    expect(log).toContain('Requesting guest OS to stop...');
    expect(log).toContain('guest has stopped the virtual machine');

    // The stale DHCP lease is still there, but a stopped VM has no address.
    expect(fake.tart('ip', 'tp-web').stdout.trim()).toBe(address);
    fake.clearInvocations();
    expect(await runtime.getIp('tp-web', ctx, 1000)).toBeNull();
    expect(calls(fake, 'ip')).toEqual([]);

    await runtime.delete('tp-web', ctx);
    expect(calls(fake, 'delete')).toEqual([['delete', 'tp-web']]);
    expect(await runtime.status('tp-web')).toEqual({ state: 'missing' });
    expect(existsSync(join(dataDir, 'tart', 'vms', 'tp-web'))).toBe(false);
  });

  it('never suspends: the capability is off and no `tart suspend` is ever run', async () => {
    const { fake, runtime, ctx } = setup();
    expect((await runtime.capabilities()).suspend).toBe(false);
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    await runtime.stop('tp-web', ctx);
    await runtime.delete('tp-web', ctx);
    expect(calls(fake, 'suspend')).toEqual([]);
  });

  it('passes a workspace allow-list as --net-softnet-allow, leaving out what Softnet cannot take', async () => {
    const { fake, runtime, ctx, logs } = setup();
    await runtime.create(spec({ mode: 'allow-list', allow: ['192.168.1.7/24', '10.0.0.0/8', 'fd00::/8'] }), ctx);
    await runtime.start('tp-web', ctx);
    expect(calls(fake, 'run')[0]!.slice(0, 6)).toEqual([
      'run',
      'tp-web',
      '--no-graphics',
      '--net-softnet',
      '--net-softnet-allow',
      '192.168.1.0/24,10.0.0.0/8',
    ]);
    expect(logs.join('\n')).toContain('fd00::/8 is left out');
  });

  it('lists only its own VMs, with their marks', async () => {
    const { fake, runtime, ctx } = setup();
    fake.tart('create', 'my-own-vm', '--linux');
    await runtime.create(spec(), ctx);
    expect(await runtime.list()).toEqual([
      { instanceName: 'tp-web', state: 'stopped', workspaceId: spec().workspaceId, workspaceName: 'web' },
    ]);
    expect((await runtime.images()).map((image) => [image.ref, image.current])).toEqual([['tidepool-0.1.0', true]]);
    expect(runtime.defaultImage()).toBe('tidepool-0.1.0');
  });
});

describe('TartRuntime stop', () => {
  it('powers off with `tart stop --timeout` when the guest ignores the power button', async () => {
    const { fake, runtime, dataDir, ctx, logs } = setup({ control: { guestIgnoresPowerButton: true } });
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    await runtime.stop('tp-web', ctx, { timeoutMs: 600 });
    expect(calls(fake, 'stop')).toEqual([['stop', 'tp-web', '--timeout', '2']]);
    expect(await runtime.status('tp-web')).toEqual({ state: 'stopped' });
    expect(logs.join('\n')).toContain('did not shut down');
    expect(readFileSync(join(dataDir, 'tart', 'vms', 'tp-web', 'run.log'), 'utf8')).toContain('Stopping VM...');
  });

  it('finds and gracefully stops a VM whose `tart run` it did not start', async () => {
    const { fake, runtime, ctx } = setup();
    await runtime.create(spec(), ctx);
    const outside = spawn(join(fake.path.split(':')[0]!, 'tart'), ['run', 'tp-web', '--no-graphics'], {
      env: { PATH: `${fake.path}:/usr/bin:/bin`, TART_HOME: fake.home },
      stdio: 'ignore',
      detached: true,
    });
    outside.unref();
    await expect.poll(() => fake.runPid('tp-web'), { timeout: 5000 }).toBe(outside.pid);
    expect(await runtime.status('tp-web')).toEqual({ state: 'running' });
    await runtime.stop('tp-web', ctx, { timeoutMs: 5000 });
    expect(calls(fake, 'stop')).toEqual([]);
    expect(fake.runPid('tp-web')).toBeNull();
  });

  it('force skips the guest and powers off at once', async () => {
    const { fake, runtime, ctx } = setup();
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    await runtime.stop('tp-web', ctx, { force: true });
    expect(calls(fake, 'stop')).toEqual([['stop', 'tp-web', '--timeout', '2']]);
  });

  it('stops a running VM before deleting it', async () => {
    const { fake, runtime, ctx } = setup();
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    await runtime.delete('tp-web', ctx);
    expect(fake.runPid('tp-web')).toBeNull();
    expect(calls(fake, 'delete')).toEqual([['delete', 'tp-web']]);
  });
});

describe('TartRuntime failures', () => {
  it('fails an early `tart run` exit with the tail of its log', async () => {
    const { runtime, ctx } = setup({ control: { fail: { run: 'vz-error' } } });
    await runtime.create(spec(), ctx);
    const error = await failure(runtime.start('tp-web', ctx));
    expect(error.code).toBe('RUNTIME_ERROR');
    expect(error.message).toBe('macOS could not start the VM tp-web.');
    expect(error.detail).toContain('exited 1');
    expect(error.detail).toContain('The virtual machine failed to start.');
    expect(await runtime.status('tp-web')).toEqual({ state: 'stopped' });
  });

  it('fails the address wait when `tart run` dies after taking its lock', async () => {
    const { runtime, ctx } = setup({ control: { fail: { run: 'early-exit', ip: 'never' } } });
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    const error = await failure(runtime.getIp('tp-web', ctx, 10_000));
    expect(error.code).toBe('RUNTIME_ERROR');
    expect(error.message).toBe('The VM tp-web stopped with an error from macOS.');
    expect(error.detail).toContain('guest has stopped the virtual machine due to error');
  });

  it('returns no address when `tart ip` times out', async () => {
    const { fake, runtime, ctx } = setup({ control: { fail: { ip: 'never' } } });
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    expect(await runtime.getIp('tp-web', ctx, 1000)).toBeNull();
    expect(calls(fake, 'ip')).toEqual([['ip', 'tp-web', '--wait', '1']]);
  });

  it('says so when the VM is already running outside Tidepool', async () => {
    const { runtime, ctx } = setup({ control: { fail: { run: 'already-running' } } });
    await runtime.create(spec(), ctx);
    const error = await failure(runtime.start('tp-web', ctx));
    expect(error.code).toBe('BUSY');
    expect(error.message).toBe('The Tart VM tp-web is already running; it was started outside Tidepool.');
    expect(error.hint).toContain('tart stop tp-web');
  });

  it('notices a VM deleted behind its back', async () => {
    const { fake, runtime, ctx } = setup();
    await runtime.create(spec(), ctx);
    fake.tart('delete', 'tp-web');
    expect(await runtime.status('tp-web')).toEqual({ state: 'missing' });
    expect(await runtime.list()).toEqual([]);
    const error = await failure(runtime.start('tp-web', ctx));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('deleted outside Tidepool');
    expect((await failure(runtime.getIp('tp-web', ctx, 1000))).code).toBe('NOT_FOUND');
  });

  it('turns a missing Softnet set-up into RUNTIME_NOT_SET_UP with the exact command', async () => {
    const { runtime, ctx } = setup({ control: { softnet: 'needs-root' } });
    const softnet = realpathSync(join(import.meta.dirname, 'fake-tart', 'softnet.mjs'));
    const command = `sudo sh -c "chown root ${softnet} && chmod u+s ${softnet}"`;
    const info = await runtime.inspect();
    expect(info.setup.find((step) => step.id === 'softnet')).toMatchObject({ ok: false, command });
    await runtime.create(spec(), ctx);
    const error = await failure(runtime.start('tp-web', ctx));
    expect(error.code).toBe('RUNTIME_NOT_SET_UP');
    expect(error.hint).toContain(command);
    expect(error.detail).toContain('passwordless sudo was not available');
  });

  it('reports a missing Softnet', async () => {
    const { runtime, ctx } = setup({ softnet: false });
    expect((await runtime.inspect()).setup.find((step) => step.id === 'softnet')).toMatchObject({
      ok: false,
      command: 'brew install openai/tools/softnet',
    });
    await runtime.create(spec(), ctx);
    const error = await failure(runtime.start('tp-web', ctx));
    expect(error.code).toBe('RUNTIME_NOT_SET_UP');
    expect(error.message).toContain('not installed');
  });

  it('refuses a name that already exists instead of letting clone replace it', async () => {
    const { fake, runtime, ctx } = setup();
    fake.tart('create', 'tp-web', '--linux', '--disk-size', '77');
    const error = await failure(runtime.create(spec(), ctx));
    expect(error.code).toBe('ALREADY_EXISTS');
    expect(calls(fake, 'clone')).toEqual([]);
    expect(JSON.parse(fake.tart('get', 'tp-web', '--format', 'json').stdout).Disk).toBe(77);
  });

  it('asks for the image when it has not been built', async () => {
    const { fake, runtime, ctx } = setup();
    fake.tart('delete', 'tidepool-0.1.0');
    const error = await failure(runtime.create(spec(), ctx));
    expect(error.code).toBe('IMAGE_MISSING');
    expect(error.hint).toContain('tidepool image build --runtime tart');
  });

  it('reports a full disk while cloning and leaves nothing behind', async () => {
    const { fake, runtime, dataDir, ctx } = setup({ control: { fail: { clone: 'disk-full' } } });
    const error = await failure(runtime.create(spec(), ctx));
    expect(error.code).toBe('DISK_FULL');
    expect(error.detail).toContain('there isn’t enough space');
    expect(fake.tart('get', 'tp-web').status).toBe(2);
    expect(existsSync(join(dataDir, 'tart', 'vms', 'tp-web'))).toBe(false);
  });

  it('says how to install a missing tart', async () => {
    const { runtime, ctx } = setup({ tart: false });
    const info = await runtime.inspect();
    expect(info).toMatchObject({ available: false, version: null });
    expect(info.setup).toEqual([expect.objectContaining({ id: 'tart', ok: false, command: 'brew install openai/tools/tart' })]);
    const error = await failure(runtime.create(spec(), ctx));
    expect(error.code).toBe('RUNTIME_UNAVAILABLE');
    expect(error.hint).toContain('brew install openai/tools/tart');
  });

  it('says how to upgrade a tart older than 2.30.0', async () => {
    const { runtime, ctx } = setup({ control: { version: '2.29.1' } });
    const info = await runtime.inspect();
    expect(info).toMatchObject({ available: false, version: '2.29.1' });
    expect(info.setup[0]).toMatchObject({ id: 'tart', ok: false, command: 'brew upgrade tart' });
    const error = await failure(runtime.start('tp-web', ctx));
    expect(error.code).toBe('RUNTIME_UNAVAILABLE');
    expect(error.hint).toContain('brew upgrade tart');
  });

  it('is usable on any OS, with a warning off macOS', async () => {
    const { runtime } = setup();
    const info = await runtime.inspect();
    expect(info).toMatchObject({ available: true, version: '2.35.0' });
    expect(info.setup.every((step) => step.ok)).toBe(true);
    expect(info.warnings.join(' ')).toContain('macOS only');
  });

  it('gives a typed error for malformed JSON', async () => {
    const { fake, runtime, ctx } = setup();
    await runtime.create(spec(), ctx);
    fake.control({ fail: { list: 'malformed', get: 'wrong-shape' } });
    const listError = await failure(runtime.list());
    expect(listError.code).toBe('RUNTIME_ERROR');
    expect(listError.message).toContain('tart list --format json');
    const getError = await failure(runtime.status('tp-web'));
    expect(getError.code).toBe('RUNTIME_ERROR');
    expect(getError.detail).toContain('"os"');
  });

  it('reports macOS Local Network refusal as LOCAL_NETWORK_DENIED', async () => {
    const { runtime, ctx } = setup({
      platform: 'darwin',
      checkLocalNetwork: async (address) => {
        const { localNetworkRefusal } = await import('./local-network.js');
        throw localNetworkRefusal(Object.assign(new Error(`connect EHOSTUNREACH ${address}:22`), { code: 'EHOSTUNREACH' }), address, 'darwin');
      },
    });
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    const error = await failure(runtime.getIp('tp-web', ctx, 5000));
    expect(error.code).toBe('LOCAL_NETWORK_DENIED');
    expect(error.hint).toContain('Privacy & Security → Local Network');
  });

  it('stops the run process of a cancelled start', async () => {
    const { fake, runtime, ctx } = setup();
    await runtime.create(spec(), ctx);
    const controller = new AbortController();
    controller.abort();
    const error = await failure(runtime.start('tp-web', { ...ctx, signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
    await expect.poll(() => fake.runPid('tp-web'), { timeout: 5000 }).toBeNull();
  });
});

describe('TartRuntime configure', () => {
  it('restarts a run it just started when the allow-list changed, so Softnet applies it', async () => {
    const { fake, runtime, ctx } = setup();
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    const address = await runtime.getIp('tp-web', ctx, 5000);
    await runtime.configure('tp-web', { network: { mode: 'allow-list', allow: ['10.1.0.0/16'] } }, ctx);
    expect(calls(fake, 'run').map((argv) => argv.slice(3, 6))).toEqual([
      ['--net-softnet', '--dir', expect.any(String)],
      ['--net-softnet', '--net-softnet-allow', '10.1.0.0/16'],
    ]);
    expect(await runtime.getIp('tp-web', ctx, 5000)).toBe(address);
  });

  it('leaves a VM that was already running alone and says the change applies at next start', async () => {
    const { fake, runtime, ctx, logs } = setup();
    await runtime.create(spec(), ctx);
    await runtime.start('tp-web', ctx);
    await runtime.configure('tp-web', { network: { mode: 'isolated' } }, ctx);
    await runtime.configure('tp-web', { network: { mode: 'allow-list', allow: ['10.1.0.0/16'] } }, ctx);
    expect(calls(fake, 'run')).toHaveLength(1);
    expect(logs.join('\n')).toContain('applies when tp-web next starts');
    await runtime.stop('tp-web', ctx);
    await runtime.start('tp-web', ctx);
    expect(calls(fake, 'run')[1]!.slice(3, 6)).toEqual(['--net-softnet', '--net-softnet-allow', '10.1.0.0/16']);
  });
});
