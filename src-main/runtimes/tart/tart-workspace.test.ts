import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../core.js';
import { SimulatedGuest } from '../../guest/simulated-guest.js';
import { loadOrCreateSshKey } from '../../guest/ssh-key.js';
import { DEFAULT_SETTINGS } from '../../settings.js';
import { MemoryStateStore } from '../../store/state-store.js';
import { makeFakeTart, makeImagesDir, type FakeTart } from './fake-tart/fake-tart-home.js';
import { TartRuntime } from './tart-runtime.js';

let core: Core | null = null;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  await core?.workspaces.drain();
  await core?.dispose();
  core = null;
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function tartCore(): Promise<{ core: Core; fake: FakeTart; dataDir: string }> {
  const fake = makeFakeTart();
  const dataDir = mkdtempSync(join(tmpdir(), 'tidepool-tart-core-'));
  const imagesDir = makeImagesDir('0.1.0');
  cleanups.push(() => {
    fake.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(imagesDir, { recursive: true, force: true });
  });
  fake.tart('create', 'tidepool-0.1.0', '--linux', '--disk-size', '20');
  const settings = { ...DEFAULT_SETTINGS, tart: { home: fake.home } };
  const runtime = new TartRuntime({
    dataDir,
    settings: () => settings,
    platform: 'linux',
    basePath: fake.path,
    env: { HOME: dataDir },
    imagesDir,
    timings: { pollMs: 50, bootMs: 5000, hardStopSeconds: 2, settleMs: 300 },
  });
  core = await createCore({
    dataDir,
    store: new MemoryStateStore(),
    platform: 'linux',
    runtimes: [runtime],
    runtimeOverride: 'tart',
    sshGuest: () => new SimulatedGuest(2),
    timeouts: { addressMs: 5000, stopMs: 3000 },
  });
  return { core, fake, dataDir };
}

describe('WorkspaceService on the Tart runtime (fake tart)', () => {
  it('goes create → ready → stop → delete with the Tart commands a user would expect', async () => {
    const { core, fake, dataDir } = await tartCore();
    const workspace = await core.workspaces.create({ name: 'web', kind: 'vm', resources: { cpus: 2, memoryMiB: 4096, diskGiB: 20 } });
    await core.workspaces.settled(workspace.id);
    const ready = core.workspaces.get(workspace.id);
    expect(ready.lastError).toBeNull();
    expect(ready).toMatchObject({ state: 'ready', runtime: 'tart', instanceName: 'tp-web', image: 'tidepool-0.1.0' });
    expect(ready.address).toMatch(/^192\.168\.64\.\d+$/);
    expect(fake.runPid('tp-web')).not.toBeNull();
    // The guest authorises Tidepool's own key, shared in at the root of the `tidepool` tag.
    const share = join(dataDir, 'tart', 'vms', 'tp-web', 'share');
    expect(readFileSync(join(share, 'authorized_keys'), 'utf8')).toBe(`${loadOrCreateSshKey(dataDir).publicKey}\n`);
    expect(fake.shares('tp-web').tidepool?.root).toEqual(['authorized_keys', 'hostname']);

    await core.workspaces.stop(workspace.id);
    await core.workspaces.settled(workspace.id);
    expect(core.workspaces.get(workspace.id)).toMatchObject({ state: 'stopped', address: null });
    expect(fake.runPid('tp-web')).toBeNull();

    await core.workspaces.delete(workspace.id);
    await core.workspaces.settled(workspace.id);
    expect(core.workspaces.list()).toEqual([]);
    expect(fake.tart('get', 'tp-web').status).toBe(2);

    const changing = fake.argvs().filter((argv) => ['clone', 'set', 'run', 'ip', 'stop', 'delete', 'suspend'].includes(argv[0]!));
    expect(changing).toEqual([
      ['clone', 'tidepool-0.1.0', 'tp-web'],
      // 20 GiB are 21.5 GB, more than the image's 20 GB.
      ['set', 'tp-web', '--cpu', '2', '--memory', '4096', '--random-mac', '--disk-size', '22'],
      ['run', 'tp-web', '--no-graphics', '--net-softnet', '--dir', `${share}:ro,tag=tidepool`],
      ['ip', 'tp-web', '--wait', '5'],
      ['delete', 'tp-web'],
    ]);
  });

  it('refuses to create over a Tart VM of the same name and keeps that VM', async () => {
    const { core, fake } = await tartCore();
    fake.tart('create', 'tp-web', '--linux', '--disk-size', '77');
    const workspace = await core.workspaces.create({ name: 'web', kind: 'vm' });
    await core.workspaces.settled(workspace.id);
    expect(core.workspaces.get(workspace.id)).toMatchObject({ state: 'error', lastError: { code: 'ALREADY_EXISTS' } });
    expect(JSON.parse(fake.tart('get', 'tp-web', '--format', 'json').stdout).Disk).toBe(77);
  });
});
