import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageInfo } from '../../src-shared/workspace.js';
import { createCore, type Core } from '../core.js';
import { RuntimeRegistry } from '../runtimes/registry.js';
import type { InstanceSpec } from '../runtimes/runtime.js';
import { SimulatedRuntime } from '../runtimes/simulated/simulated-runtime.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { MemoryStateStore } from '../store/state-store.js';
import { MEMORY_TO_FILL, WARM_PREFIX, WarmPool } from './warm-pool.js';

const FAST = { create: 2, start: 2, stop: 2, delete: 2, getIp: 2, claimWarm: 2 };

/** The simulated runtime with an image that can be rebuilt under the same ref (a new creation time). */
class RebuildableRuntime extends SimulatedRuntime {
  builtAt = '2026-01-01T00:00:00.000Z';

  override async images(): Promise<ImageInfo[]> {
    return (await super.images()).map((image) => ({ ...image, createdAt: this.builtAt }));
  }
}

let core: Core | null = null;
afterEach(async () => {
  await core?.workspaces.drain();
  await core?.dispose();
  core = null;
});

async function coreWithPool(size: number, runtime = new RebuildableRuntime({ delays: FAST })): Promise<{ core: Core; runtime: RebuildableRuntime }> {
  const store = new MemoryStateStore();
  store.set('settings', { warmPool: { size } });
  core = await createCore({
    dataDir: mkdtempSync(join(tmpdir(), 'tidepool-warm-')),
    store,
    platform: 'linux',
    runtimes: [runtime],
    runtimeOverride: 'simulated',
    timeouts: { addressMs: 200, stopMs: 200 },
    simulatedGuestStepMs: 1,
    healthIntervalMs: 0,
    keepWarmPool: true,
  });
  await core.warmPool.settled();
  return { core, runtime };
}

async function warmInstances(runtime: SimulatedRuntime): Promise<string[]> {
  return (await runtime.list()).filter((instance) => instance.warm).map((instance) => instance.instanceName).sort();
}

async function createReady(target: Core, name: string, input: Partial<Parameters<Core['workspaces']['create']>[0]> = {}) {
  const workspace = await target.workspaces.create({ name, ...input });
  await target.workspaces.settled(workspace.id);
  return target.workspaces.get(workspace.id);
}

function plantWarm(runtime: SimulatedRuntime, instanceName: string): void {
  const spec: InstanceSpec = {
    instanceName,
    workspaceId: '',
    workspaceName: instanceName,
    kind: 'container',
    image: runtime.defaultImage(),
    resources: DEFAULT_SETTINGS.defaultResources,
    network: { mode: 'isolated' },
    sshPublicKey: 'ssh-ed25519 AAAA test',
    warm: true,
  };
  runtime.plant(spec, 'running');
}

describe('warm pool', () => {
  it('keeps nothing while it is off (the default)', async () => {
    const { core: off, runtime } = await coreWithPool(0);
    expect(await warmInstances(runtime)).toEqual([]);
    const workspace = await createReady(off, 'plain');
    expect(workspace).toMatchObject({ state: 'ready', instanceName: 'tp-plain' });
  });

  it('keeps K started, marked instances that the orphan list does not report', async () => {
    const { core: kept, runtime } = await coreWithPool(2);
    const warm = await warmInstances(runtime);
    expect(warm).toHaveLength(2);
    for (const name of warm) {
      expect(name.startsWith(WARM_PREFIX)).toBe(true);
      expect((await runtime.status(name)).state).toBe('running');
    }
    expect(kept.warmPool.status()).toMatchObject({ size: 2, ready: expect.arrayContaining(warm), problem: null });
    expect(await kept.workspaces.orphans()).toEqual([]);
  });

  it('gives a new workspace a started instance (no clone, no boot), then refills', async () => {
    const { core: kept, runtime } = await coreWithPool(1);
    const [warm] = await warmInstances(runtime);
    const callsBefore = runtime.calls.length;
    const workspace = await createReady(kept, 'quick');
    expect(workspace).toMatchObject({ state: 'ready', instanceName: warm });
    const own = runtime.calls.slice(callsBefore).filter((call) => call.instanceName === warm).map((call) => call.op);
    expect(own).toContain('claimWarm');
    expect(own).not.toContain('create');
    expect(own).not.toContain('start');
    // The instance is the workspace's now: its marks say so.
    expect((await runtime.list()).find((instance) => instance.instanceName === warm)).toMatchObject({ workspaceId: workspace.id, workspaceName: 'quick' });
    await kept.warmPool.settled();
    const refilled = await warmInstances(runtime);
    expect(refilled).toHaveLength(1);
    expect(refilled).not.toContain(warm);
  });

  it('creates as usual when the request does not match the warm instances', async () => {
    const { core: kept, runtime } = await coreWithPool(1);
    const [warm] = await warmInstances(runtime);
    const workspace = await createReady(kept, 'bigger', { resources: { cpus: 1, memoryMiB: 1024, diskGiB: 5 } });
    expect(workspace).toMatchObject({ state: 'ready', instanceName: 'tp-bigger' });
    expect(await warmInstances(runtime)).toEqual([warm]);
  });

  it('falls back to a normal create when the warm instance cannot be taken, and removes it', async () => {
    const { core: kept, runtime } = await coreWithPool(1);
    const [warm] = await warmInstances(runtime);
    runtime.inject('claimWarm', { kind: 'error', message: 'The instance stopped.' });
    const workspace = await createReady(kept, 'fallback');
    expect(workspace).toMatchObject({ state: 'ready', instanceName: 'tp-fallback' });
    expect(runtime.has(warm!)).toBe(false);
    expect(kept.logs.recent(workspace.id).map((line) => line.text).join('\n')).toContain(`the warm instance ${warm} could not be used`);
  });

  it('replaces its instances when the image is rebuilt or the default resources change', async () => {
    const { core: kept, runtime } = await coreWithPool(1);
    const [first] = await warmInstances(runtime);
    runtime.builtAt = '2026-02-01T00:00:00.000Z';
    kept.warmPool.poke();
    await kept.warmPool.settled();
    const [second] = await warmInstances(runtime);
    expect(second).not.toBe(first);
    expect(runtime.has(first!)).toBe(false);
    kept.settings.update({ defaultResources: { cpus: 1, memoryMiB: 2048, diskGiB: 10 } });
    await kept.warmPool.settled();
    const [third] = await warmInstances(runtime);
    expect(third).not.toBe(second);
    expect(runtime.has(second!)).toBe(false);
    // A workspace asking for the new defaults takes it.
    expect(await createReady(kept, 'fresh')).toMatchObject({ instanceName: third });
  });

  it('drains when it is turned off and when the core shuts down', async () => {
    const { core: kept, runtime } = await coreWithPool(2);
    kept.settings.update({ warmPool: { size: 0 } });
    await kept.warmPool.settled();
    expect(await warmInstances(runtime)).toEqual([]);
    kept.settings.update({ warmPool: { size: 1 } });
    await kept.warmPool.settled();
    expect(await warmInstances(runtime)).toHaveLength(1);
    await kept.dispose();
    core = null;
    expect(await warmInstances(runtime)).toEqual([]);
  });

  it('removes warm instances an earlier run left, but not one a workspace record already uses', async () => {
    const runtime = new RebuildableRuntime({ delays: FAST });
    plantWarm(runtime, 'tp-warm-old111');
    plantWarm(runtime, 'tp-warm-used22');
    const settings = { ...DEFAULT_SETTINGS, runtime: 'simulated' as const, warmPool: { size: 1 } };
    const pool = new WarmPool({
      registry: new RuntimeRegistry([runtime], { platform: 'linux', preferred: () => 'simulated' }),
      settings: () => settings,
      sshPublicKey: async () => 'ssh-ed25519 AAAA test',
      inUse: (name) => name === 'tp-warm-used22',
    });
    pool.start();
    await pool.settled();
    expect(runtime.has('tp-warm-old111')).toBe(false);
    expect(runtime.has('tp-warm-used22')).toBe(true);
    expect(pool.status().ready).toHaveLength(1);
    await pool.stop();
    expect(runtime.has('tp-warm-used22')).toBe(true);
  });

  it('lets its instances go when host memory runs short, and says why', async () => {
    const runtime = new RebuildableRuntime({ delays: FAST });
    let available = 8 * 1024 ** 3;
    const settings = { ...DEFAULT_SETTINGS, runtime: 'simulated' as const, warmPool: { size: 2 } };
    const pool = new WarmPool({
      registry: new RuntimeRegistry([runtime], { platform: 'linux', preferred: () => 'simulated' }),
      settings: () => settings,
      sshPublicKey: async () => 'ssh-ed25519 AAAA test',
      inUse: () => false,
      availableMemory: () => available,
    });
    pool.start();
    await pool.settled();
    expect(await warmInstances(runtime)).toHaveLength(2);
    available = 512 * 1024 ** 2;
    pool.poke();
    await pool.settled();
    expect(await warmInstances(runtime)).toEqual([]);
    expect(pool.status().problem).toMatch(/short of memory/);
    // Between the two thresholds it neither drains nor fills.
    available = MEMORY_TO_FILL - 1;
    pool.poke();
    await pool.settled();
    expect(await warmInstances(runtime)).toEqual([]);
    available = MEMORY_TO_FILL;
    pool.poke();
    await pool.settled();
    expect(await warmInstances(runtime)).toHaveLength(2);
    expect(pool.status().problem).toBeNull();
    await pool.stop();
  });

  it('waits before retrying when an instance cannot be started, and reports it', async () => {
    const runtime = new RebuildableRuntime({ delays: FAST });
    runtime.inject('start', { kind: 'error', message: 'No space left on the pool.' });
    const settings = { ...DEFAULT_SETTINGS, runtime: 'simulated' as const, warmPool: { size: 1 } };
    const pool = new WarmPool({
      registry: new RuntimeRegistry([runtime], { platform: 'linux', preferred: () => 'simulated' }),
      settings: () => settings,
      sshPublicKey: async () => 'ssh-ed25519 AAAA test',
      inUse: () => false,
      retryAfterMs: 60_000,
    });
    pool.start();
    await pool.settled();
    expect(pool.status()).toMatchObject({ ready: [], problem: expect.stringContaining('No space left on the pool.') });
    // The half-made instance is gone, and the next check does not hammer the runtime.
    expect(await runtime.list()).toEqual([]);
    const creates = runtime.calls.filter((call) => call.op === 'create').length;
    pool.poke();
    await pool.settled();
    expect(runtime.calls.filter((call) => call.op === 'create').length).toBe(creates);
    await pool.stop();
  });

  it('is not kept by a core that is not asked to (one-shot CLI commands): nothing is claimed or made', async () => {
    const runtime = new RebuildableRuntime({ delays: FAST });
    plantWarm(runtime, 'tp-warm-abc123');
    const store = new MemoryStateStore();
    store.set('settings', { warmPool: { size: 2 } });
    core = await createCore({
      dataDir: mkdtempSync(join(tmpdir(), 'tidepool-warm-')),
      store,
      platform: 'linux',
      runtimes: [runtime],
      runtimeOverride: 'simulated',
      timeouts: { addressMs: 200, stopMs: 200 },
      simulatedGuestStepMs: 1,
      healthIntervalMs: 0,
    });
    const workspace = await createReady(core, 'oneshot');
    expect(workspace.instanceName).toBe('tp-oneshot');
    expect(await warmInstances(runtime)).toEqual(['tp-warm-abc123']);
  });
});
