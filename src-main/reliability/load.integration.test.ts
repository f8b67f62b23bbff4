/**
 * Load on the real local incusd through the real core: many create → ready → delete cycles one after the
 * other, then several creates at once. What this process holds (file descriptors, listening sockets, SSH
 * connections), the store and what Incus holds must come back to where they started: a leak shows as a
 * number that keeps growing. The numbers are printed for CI.
 *
 * TIDEPOOL_LOAD_CYCLES (default 50) and TIDEPOOL_LOAD_CONCURRENT (default 8) size the run; on a 2-core
 * machine one cycle takes about 2–4 s.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../core.js';
import { incusUnavailableReason } from '../runtimes/incus/integration-support.js';
import { STORE_FILE_NAME } from '../store/conf-state-store.js';
import { describeFootprint, footprint, type Footprint } from './testing/footprint.js';
import { createReady, deleteAndSettle, instancesNamed, openIncusCore, removeRunLeftovers, RUN_TAG, runName, tempDataDir, volumesNamed } from './testing/incus-core.js';

const reason = await incusUnavailableReason();
if (reason) console.warn(`Skipping the load tests: ${reason}`);

function count(name: string, fallback: number): number {
  const raw = process.env[name];
  return raw && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : fallback;
}
const CYCLES = count('TIDEPOOL_LOAD_CYCLES', 50);
const CONCURRENT = count('TIDEPOOL_LOAD_CONCURRENT', 8);
/** File descriptors come and go with libuv's own housekeeping; more than this many extra is a leak. */
const FD_SLACK = 4;

interface Snapshot extends Footprint {
  workspaces: number;
  storeBytes: number;
  instances: number;
  volumes: number;
  rssMiB: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe.skipIf(reason !== null)(`load: ${CYCLES} create/delete cycles, ${CONCURRENT} creates at once (real Incus, real core)`, () => {
  let dataDir: string;
  let core: Core;
  let baseline: Snapshot;
  const prefix = `tp-${RUN_TAG}-load`;

  async function snapshot(): Promise<Snapshot> {
    return {
      ...footprint(),
      workspaces: core.workspaces.list().length,
      storeBytes: statSync(join(dataDir, `${STORE_FILE_NAME}.json`)).size,
      instances: (await instancesNamed(prefix)).length,
      volumes: (await volumesNamed(prefix)).length,
      rssMiB: Math.round(process.memoryUsage().rss / 1048576),
    };
  }

  function describeSnapshot(label: string, shot: Snapshot): string {
    return `${label}: ${describeFootprint(shot)}; workspaces ${shot.workspaces}, store ${shot.storeBytes} B, Incus instances ${shot.instances}, volumes ${shot.volumes}, RSS ${shot.rssMiB} MiB`;
  }

  function expectBackToBaseline(after: Snapshot): void {
    expect(after.fds, 'open file descriptors').toBeLessThanOrEqual(baseline.fds + FD_SLACK);
    expect(after.listening, 'listening sockets').toEqual(baseline.listening);
    expect(after.sshConnections, 'SSH connections').toBe(0);
    expect(after.workspaces, 'workspaces in the store').toBe(0);
    expect(after.storeBytes, 'store file size').toBeLessThanOrEqual(baseline.storeBytes);
    expect(after.instances, 'Incus instances').toBe(0);
    expect(after.volumes, 'Incus volumes').toBe(0);
  }

  beforeAll(async () => {
    dataDir = tempDataDir('load');
    core = await openIncusCore(dataDir);
    // One cycle first: the SSH key, the logs folder and lazily loaded modules are made once, not leaked.
    const first = await createReady(core, runName('load-warmup'));
    await deleteAndSettle(core, first.id);
    baseline = await snapshot();
    console.info(describeSnapshot('baseline', baseline));
  }, 180_000);

  afterAll(async () => {
    try {
      await core?.workspaces.drain();
      await core?.dispose();
    } finally {
      const left = await removeRunLeftovers();
      if (left.length > 0) console.warn(`removed leftovers: ${left.join(', ')}`);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it(`${CYCLES} create → ready → delete cycles in a row leave nothing behind`, async () => {
    const readyMs: number[] = [];
    const deleteMs: number[] = [];
    let during: Snapshot | null = null;
    let afterTenth: Snapshot | null = null;
    const started = performance.now();
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const t0 = performance.now();
      const workspace = await createReady(core, runName(`load-${cycle}`));
      const t1 = performance.now();
      if (cycle === 1) during = await snapshot();
      await deleteAndSettle(core, workspace.id);
      readyMs.push(t1 - t0);
      deleteMs.push(performance.now() - t1);
      if (cycle === Math.min(10, CYCLES)) afterTenth = await snapshot();
      if (cycle % 10 === 0 || cycle === CYCLES) console.info(describeSnapshot(`after cycle ${cycle}`, await snapshot()));
    }
    const totalS = (performance.now() - started) / 1000;
    const after = await snapshot();
    console.info(
      `${CYCLES} cycles in ${totalS.toFixed(1)} s: create → ready median ${Math.round(median(readyMs))} ms (max ${Math.round(Math.max(...readyMs))}), ` +
        `delete median ${Math.round(median(deleteMs))} ms (max ${Math.round(Math.max(...deleteMs))})`,
    );
    console.info(describeSnapshot('with one workspace ready', during!));
    console.info(describeSnapshot('after all cycles', after));
    // While ready, the workspace holds exactly one SSH connection and one IDE tunnel.
    expect(during!.sshConnections).toBe(1);
    expect(during!.listening.length).toBe(baseline.listening.length + 1);
    expectBackToBaseline(after);
    // No slow growth either: the last cycles hold no more than the tenth did.
    expect(after.fds).toBeLessThanOrEqual(afterTenth!.fds + FD_SLACK);
  }, Math.max(600_000, CYCLES * 20_000));

  it(`${CONCURRENT} creates at once all get ready, each with its own connection and tunnel, and all go away`, async () => {
    const names = Array.from({ length: CONCURRENT }, (_, index) => runName(`load-c${index + 1}`));
    const started = performance.now();
    const settled = await Promise.allSettled(names.map((name) => createReady(core, name)));
    const readyS = (performance.now() - started) / 1000;
    const during = await snapshot();
    console.info(`${CONCURRENT} concurrent creates settled in ${readyS.toFixed(1)} s`);
    console.info(describeSnapshot(`with ${CONCURRENT} workspaces`, during));
    const failures = settled.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    expect(failures).toEqual([]);
    const ready = core.workspaces.list();
    expect(ready.map((workspace) => workspace.state)).toEqual(names.map(() => 'ready'));
    expect(new Set(ready.map((workspace) => workspace.idePort)).size).toBe(CONCURRENT);
    expect(new Set(ready.map((workspace) => workspace.address)).size).toBe(CONCURRENT);
    expect(during.sshConnections).toBe(CONCURRENT);
    expect(during.listening.length).toBe(baseline.listening.length + CONCURRENT);
    expect(during.instances).toBe(CONCURRENT);

    const deleting = performance.now();
    await Promise.all(ready.map((workspace) => deleteAndSettle(core, workspace.id)));
    console.info(`${CONCURRENT} concurrent deletes took ${((performance.now() - deleting) / 1000).toFixed(1)} s`);
    const after = await snapshot();
    console.info(describeSnapshot(`after the ${CONCURRENT} deletes`, after));
    expectBackToBaseline(after);
  }, 600_000);
});
