/**
 * The Incus runtime against the real local incusd (root, image tidepool/<version> baked): lifecycle with
 * timings, the home volume surviving a rebuild, two workspaces at once, limits seen from inside, VMs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { getStoragePoolVolume, homeVolumeName } from './incus-storage.js';
import type { IncusRuntime } from './incus-runtime.js';
import { guestSh, incusUnavailableReason, localRuntime, quietContext, removeQuietly, specFor, testName } from './integration-support.js';

const reason = await incusUnavailableReason();
if (reason) console.warn(`Skipping Incus runtime integration tests: ${reason}`);

describe.skipIf(reason !== null)('Incus runtime on the local incusd', () => {
  let runtime: IncusRuntime;
  const created: string[] = [];
  const ctx = quietContext();

  beforeAll(() => {
    runtime = localRuntime();
  });

  afterAll(async () => {
    await removeQuietly(runtime, created);
  });

  it('creates, starts, addresses, stops, starts again and deletes a container', async () => {
    const spec = specFor(runtime, testName('life'));
    created.push(spec.instanceName);
    const t0 = performance.now();
    await runtime.create(spec, ctx);
    const tCreated = performance.now();
    expect(await runtime.status(spec.instanceName)).toEqual({ state: 'stopped' });
    await runtime.start(spec.instanceName, ctx);
    const tRunning = performance.now();
    expect((await runtime.status(spec.instanceName)).state).toBe('running');
    const address = await runtime.getIp(spec.instanceName, ctx, 60_000);
    const tAddress = performance.now();
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    console.info(
      `incus timings: create ${Math.round(tCreated - t0)} ms, start ${Math.round(tRunning - tCreated)} ms, ` +
        `address ${Math.round(tAddress - tRunning)} ms (create → address ${Math.round(tAddress - t0)} ms)`,
    );

    const listed = await runtime.list();
    expect(listed).toContainEqual({ instanceName: spec.instanceName, state: 'running', workspaceId: spec.workspaceId, workspaceName: spec.workspaceName });
    const stats = await runtime.stats(spec.instanceName);
    expect(stats?.memoryBytes).toBeGreaterThan(0);
    expect(stats?.cpuPercent).toBeGreaterThanOrEqual(0);

    // The key reaches dev's home, owned by dev: SSH can use it.
    const keys = await guestSh(runtime, spec.instanceName, 'stat -c "%U %a" /home/dev/.ssh/authorized_keys && cat /home/dev/.ssh/authorized_keys');
    expect(keys.out).toContain('dev 600');
    expect(keys.out).toContain(spec.sshPublicKey);

    const tStop = performance.now();
    await runtime.stop(spec.instanceName, ctx, { timeoutMs: 30_000 });
    console.info(`incus timings: graceful stop ${Math.round(performance.now() - tStop)} ms`);
    expect(await runtime.status(spec.instanceName)).toEqual({ state: 'stopped' });
    await runtime.start(spec.instanceName, ctx);
    expect(await runtime.getIp(spec.instanceName, ctx, 60_000)).toBe(address);

    const tDelete = performance.now();
    await runtime.delete(spec.instanceName, ctx);
    console.info(`incus timings: delete (running, with home volume) ${Math.round(performance.now() - tDelete)} ms`);
    expect(await runtime.status(spec.instanceName)).toEqual({ state: 'missing' });
    const client = await runtime.client();
    const volume = await getStoragePoolVolume(client, 'tidepool', homeVolumeName(spec.instanceName)).catch((error: unknown) => error);
    expect((volume as TidepoolError).code).toBe('NOT_FOUND');
  });

  it('keeps the home folder across a rebuild of the instance', async () => {
    const spec = specFor(runtime, testName('home'));
    created.push(spec.instanceName);
    await runtime.create(spec, ctx);
    await runtime.start(spec.instanceName, ctx);
    // dev (uid 1000) owns the volume: it can write its own home, and the image's dotfiles are there.
    const write = await guestSh(runtime, spec.instanceName, 'echo "notes from before" > ~/keep.txt && ls -A ~', 1000);
    expect(write.exitCode).toBe(0);
    expect(write.out.split('\n')).toEqual(expect.arrayContaining(['.bashrc', '.profile', 'keep.txt']));

    await runtime.delete(spec.instanceName, ctx, { keepHome: true });
    expect(await runtime.status(spec.instanceName)).toEqual({ state: 'missing' });
    await runtime.create(spec, ctx);
    await runtime.start(spec.instanceName, ctx);
    const read = await guestSh(runtime, spec.instanceName, 'cat ~/keep.txt && stat -c %U ~/keep.txt', 1000);
    expect(read.out).toBe('notes from before\ndev');
    await runtime.delete(spec.instanceName, ctx, { keepHome: false });
  });

  it('runs two workspaces at once, each with its own address', async () => {
    const specs = [specFor(runtime, testName('twin-a')), specFor(runtime, testName('twin-b'))];
    created.push(...specs.map((spec) => spec.instanceName));
    await Promise.all(specs.map((spec) => runtime.create(spec, ctx)));
    await Promise.all(specs.map((spec) => runtime.start(spec.instanceName, ctx)));
    const addresses = await Promise.all(specs.map((spec) => runtime.getIp(spec.instanceName, ctx, 60_000)));
    expect(addresses[0]).toBeTruthy();
    expect(addresses[1]).toBeTruthy();
    expect(addresses[0]).not.toBe(addresses[1]);
    await Promise.all(specs.map((spec) => runtime.delete(spec.instanceName, ctx)));
  });

  it('applies CPU and memory limits the guest can see', async () => {
    const spec = specFor(runtime, testName('limits'), { resources: { cpus: 1, memoryMiB: 768, diskGiB: 6 } });
    created.push(spec.instanceName);
    await runtime.create(spec, ctx);
    await runtime.start(spec.instanceName, ctx);
    const seen = await guestSh(runtime, spec.instanceName, "nproc; awk '/^MemTotal/ {print $2}' /proc/meminfo");
    const [cpus, memKiB] = seen.out.split('\n').map(Number);
    expect(cpus).toBe(1);
    expect(memKiB).toBe(768 * 1024);
    await runtime.delete(spec.instanceName, ctx);
  });

  it('runs VM workspaces through the same code path when the server can', async (test) => {
    const vm = (await runtime.capabilities()).kinds.vm;
    if (!vm.available) {
      console.warn(`Skipping the VM workspace test: ${vm.reason}`);
      const refused = await runtime.create(specFor(runtime, testName('vm'), { kind: 'vm' }), ctx).catch((error: unknown) => error);
      expect((refused as TidepoolError).code).toBe('RUNTIME_UNAVAILABLE');
      test.skip();
      return;
    }
    const spec = specFor(runtime, testName('vm'), { kind: 'vm' });
    created.push(spec.instanceName);
    await runtime.create(spec, ctx);
    await runtime.start(spec.instanceName, ctx);
    expect(await runtime.getIp(spec.instanceName, ctx, 180_000)).toBeTruthy();
    await runtime.delete(spec.instanceName, ctx);
  });
});
