/**
 * The disk fills during a create, on the real local incusd: a small btrfs pool (300 MiB, a loop file Incus
 * makes) cannot hold the unpacked image. Through the real core, the create must end in the error state with
 * DISK_FULL, Incus's own words and what to do; deleting the workspace must leave nothing in the pool.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core.js';
import { IncusRuntime } from '../runtimes/incus/incus-runtime.js';
import { incusUnavailableReason } from '../runtimes/incus/integration-support.js';
import { DEFAULT_SETTINGS } from '../settings.js';
import { incusClient, instancesNamed, RUN_TAG, runName, tempDataDir, volumesNamed } from './testing/incus-core.js';

const reason = await incusUnavailableReason();
if (reason) console.warn(`Skipping the full-disk test: ${reason}`);

const POOL = `tp-${RUN_TAG}-small`;

/** Every volume in the pool, of any type (images, containers, custom), as "type/name". */
async function poolContents(): Promise<string[]> {
  const reply = await incusClient().query<string[]>('GET', `/1.0/storage-pools/${POOL}/volumes`);
  return reply.metadata.map((url) => url.replace(/^.*\/volumes\//, '')).sort();
}

describe.skipIf(reason !== null)('a storage pool that fills up during a create (real Incus, real core)', () => {
  let dataDir: string;
  let core: Core;

  beforeAll(async () => {
    await incusClient().query('POST', '/1.0/storage-pools', {
      body: { name: POOL, driver: 'btrfs', description: 'Tidepool reliability test: a pool too small for the image', config: { size: '300MiB' } },
      action: `create the storage pool ${POOL}`,
    });
    dataDir = tempDataDir('diskfull');
    const runtime = new IncusRuntime({ dataDir, settings: () => DEFAULT_SETTINGS, pool: POOL });
    core = await createCore({ dataDir, runtimes: [runtime], runtimeOverride: 'incus', healthIntervalMs: 0 });
  });

  afterAll(async () => {
    try {
      await core?.workspaces.drain();
      await core?.dispose();
    } finally {
      const client = incusClient();
      for (const name of await instancesNamed(`tp-${RUN_TAG}-full`).catch(() => [] as string[])) {
        await client.run('DELETE', `/1.0/instances/${name}`).catch(() => undefined);
      }
      for (const volume of await poolContents().catch(() => [] as string[])) {
        await client.run('DELETE', `/1.0/storage-pools/${POOL}/volumes/${volume}`).catch(() => client.query('DELETE', `/1.0/storage-pools/${POOL}/volumes/${volume}`).catch(() => undefined));
      }
      await client.query('DELETE', `/1.0/storage-pools/${POOL}`).catch((error: unknown) => console.warn(`could not remove the pool ${POOL}: ${String(error)}`));
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('ends the create with DISK_FULL and the cause, and a delete leaves the pool empty', async () => {
    const name = runName('full');
    const created = await core.workspaces.create({ name, resources: { cpus: 1, memoryMiB: 1024, diskGiB: 8 } });
    await core.workspaces.settled(created.id);
    const failed = core.workspaces.get(created.id);
    console.info(`create on a 300 MiB pool: ${JSON.stringify(failed.lastError)}`);
    expect(failed).toMatchObject({ state: 'error', lastError: { code: 'DISK_FULL', step: 'provision' } });
    expect(failed.lastError?.message).toMatch(/ran out of disk space/);
    expect(failed.lastError?.hint).toMatch(/Free space in the Incus storage pool/);
    expect(failed.lastError?.detail).toMatch(/no space left on device/i);
    const logs = core.logs.recent(created.id).map((line) => line.text).join('\n');
    expect(logs).toMatch(/create failed at provision: .*ran out of disk space/);

    // Nothing half-made: no instance, and the home volume the create made was taken back.
    expect(await instancesNamed(`tp-${name}`)).toEqual([]);
    expect(await volumesNamed(`tp-${name}`, POOL)).toEqual([]);

    await core.workspaces.delete(created.id);
    await core.workspaces.settled(created.id);
    expect(core.workspaces.list()).toEqual([]);
    expect(await poolContents()).toEqual([]);
  });
});
