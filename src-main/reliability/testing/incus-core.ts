/**
 * Tidepool's real core on the local incusd, for the reliability tests: the Incus runtime, SshGuest and the
 * file store in a temporary data folder, as the app and the CLI build it. Names carry a tag of this run,
 * so clean-up removes exactly what this run made (other tests may use the same incusd at the same time).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Workspace } from '../../../src-shared/workspace.js';
import { createCore, type Core, type CoreOptions } from '../../core.js';
import { DEFAULT_SOCKET_PATH, IncusClient } from '../../runtimes/incus/incus-client.js';
import { getInstances } from '../../runtimes/incus/incus-instances.js';
import type { IncusRuntime } from '../../runtimes/incus/incus-runtime.js';
import { deleteStoragePoolVolume } from '../../runtimes/incus/incus-storage.js';
import { pollUntil } from '../../util/abort.js';

export const RUN_TAG = `rl${process.pid.toString(36)}${Date.now().toString(36).slice(-3)}`;

/** A workspace name unique to this run: `rl<tag>-<stem>`. */
export function runName(stem: string): string {
  return `${RUN_TAG}-${stem}`;
}

export function tempDataDir(stem: string): string {
  return mkdtempSync(join(tmpdir(), `tp-${stem}-`));
}

export function incusClient(): IncusClient {
  return new IncusClient({ kind: 'unix', socketPath: DEFAULT_SOCKET_PATH });
}

/** The core the app builds, on Incus, in `dataDir`; no background health checks (tests call checkOnce). */
export function openIncusCore(dataDir: string, options: Partial<CoreOptions> = {}): Promise<Core> {
  return createCore({ dataDir, runtimeOverride: 'incus', healthIntervalMs: 0, ...options });
}

export function incusRuntimeOf(core: Core): IncusRuntime {
  return core.registry.get('incus') as IncusRuntime;
}

/** Creates a workspace and waits until the operation ends; fails with the workspace's own error if it is not ready. */
export async function createReady(core: Core, name: string): Promise<Workspace> {
  const created = await core.workspaces.create({ name, resources: { cpus: 1, memoryMiB: 1024, diskGiB: 8 } });
  await core.workspaces.settled(created.id);
  const workspace = core.workspaces.get(created.id);
  if (workspace.state !== 'ready') throw new Error(`${name} is ${workspace.state}: ${JSON.stringify(workspace.lastError)}`);
  return workspace;
}

export async function deleteAndSettle(core: Core, id: string): Promise<void> {
  await core.workspaces.delete(id);
  await core.workspaces.settled(id);
}

/** Instance names on the local incusd that start with `prefix`. */
export async function instancesNamed(prefix: string): Promise<string[]> {
  return (await getInstances(incusClient())).map((instance) => instance.name).filter((name) => name.startsWith(prefix)).sort();
}

/** Custom volume names in `pool` that start with `prefix`. */
export async function volumesNamed(prefix: string, pool = 'tidepool'): Promise<string[]> {
  const reply = await incusClient().query<string[]>('GET', `/1.0/storage-pools/${encodeURIComponent(pool)}/volumes/custom`);
  return reply.metadata
    .map((url) => decodeURIComponent(url.split('/').pop() ?? ''))
    .filter((name) => name.startsWith(prefix))
    .sort();
}

/** Waits until `probe` returns something, or fails saying what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const value = await pollUntil(probe, { timeoutMs, intervalMs: 100 });
  if (value === null) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  return value;
}

/** Removes every instance and home volume this run made (whatever state they are in); never throws. */
export async function removeRunLeftovers(pool = 'tidepool'): Promise<string[]> {
  const client = incusClient();
  const prefix = `tp-${RUN_TAG}`;
  const removed: string[] = [];
  for (const name of await instancesNamed(prefix).catch(() => [] as string[])) {
    await client.run('PUT', `/1.0/instances/${name}/state`, { body: { action: 'stop', force: true }, waitTimeoutMs: 60_000 }).catch(() => undefined);
    await client.run('DELETE', `/1.0/instances/${name}`, { waitTimeoutMs: 120_000 }).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  for (const name of await volumesNamed(prefix, pool).catch(() => [] as string[])) {
    await deleteStoragePoolVolume(client, pool, name).then(
      () => removed.push(`${pool}/${name}`),
      () => undefined,
    );
  }
  return removed;
}
