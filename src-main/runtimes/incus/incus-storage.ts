/**
 * Incus storage endpoints (pools and custom volumes), and the workspace's home volume: a custom volume
 * `<instance>-home` mounted at /home/dev, so rebuilding the instance from a newer image keeps the user's files.
 */
import { TidepoolError } from '../../../src-shared/errors.js';
import type { IncusClient } from './incus-client.js';

export interface IncusStoragePool {
  name: string;
  driver: string;
  status: string;
  config: Record<string, string>;
  used_by: string[];
}

export interface IncusPoolResources {
  space: { used: number; total: number };
}

export interface IncusStorageVolume {
  name: string;
  type: string;
  content_type: string;
  config: Record<string, string>;
  used_by: string[];
}

/** The guest's `dev` user (images/recipe/provision.sh creates it with this uid and gid). */
export const GUEST_DEV_UID = 1000;
export const HOME_MOUNT_PATH = '/home/dev';
export const HOME_SEEDED_KEY = 'user.tidepool.home-seeded';

export function homeVolumeName(instanceName: string): string {
  return `${instanceName}-home`;
}

const poolPath = (pool: string): string => `/1.0/storage-pools/${encodeURIComponent(pool)}`;
const volumePath = (pool: string, name: string): string => `${poolPath(pool)}/volumes/custom/${encodeURIComponent(name)}`;

export async function getStoragePool(client: IncusClient, pool: string): Promise<IncusStoragePool> {
  return (await client.query<IncusStoragePool>('GET', poolPath(pool), { action: `read the storage pool ${pool}` })).metadata;
}

export async function getStoragePoolResources(client: IncusClient, pool: string): Promise<IncusPoolResources> {
  return (await client.query<IncusPoolResources>('GET', `${poolPath(pool)}/resources`, { action: `read the space of the storage pool ${pool}` })).metadata;
}

export async function getStoragePoolVolume(client: IncusClient, pool: string, name: string): Promise<IncusStorageVolume> {
  return (await client.query<IncusStorageVolume>('GET', volumePath(pool, name), { action: `read the volume ${name}` })).metadata;
}

export async function createStoragePoolVolume(
  client: IncusClient,
  pool: string,
  volume: { name: string; config: Record<string, string>; description?: string },
): Promise<void> {
  const reply = await client.query<{ id?: string }>('POST', `${poolPath(pool)}/volumes/custom`, {
    body: { ...volume, type: 'custom', content_type: 'filesystem' },
    action: `create the volume ${volume.name}`,
  });
  if (reply.type === 'async' && reply.metadata?.id) await client.waitOperation(reply.metadata.id, { action: `create the volume ${volume.name}` });
}

export async function updateStoragePoolVolumePatch(client: IncusClient, pool: string, name: string, config: Record<string, string>): Promise<void> {
  await client.query('PATCH', volumePath(pool, name), { body: { config }, action: `update the volume ${name}` });
}

export async function deleteStoragePoolVolume(client: IncusClient, pool: string, name: string): Promise<void> {
  const reply = await client.query<{ id?: string }>('DELETE', volumePath(pool, name), { action: `delete the volume ${name}` });
  if (reply.type === 'async' && reply.metadata?.id) await client.waitOperation(reply.metadata.id, { action: `delete the volume ${name}` });
}

/**
 * The home volume, created on first use. `initial.uid/gid/mode` make its root belong to `dev` (uid 1000
 * inside the guest) so the user can write their own home; measured on Incus 6.0 with a btrfs pool.
 */
export async function ensureHomeVolume(client: IncusClient, pool: string, instanceName: string, workspaceName: string): Promise<{ created: boolean }> {
  const name = homeVolumeName(instanceName);
  try {
    await getStoragePoolVolume(client, pool, name);
    return { created: false };
  } catch (error) {
    if (!(error instanceof TidepoolError) || error.code !== 'NOT_FOUND') throw error;
  }
  await createStoragePoolVolume(client, pool, {
    name,
    description: `Tidepool: home folder of the workspace ${workspaceName}`,
    config: {
      'initial.uid': String(GUEST_DEV_UID),
      'initial.gid': String(GUEST_DEV_UID),
      'initial.mode': '0755',
      'user.tidepool.managed': 'true',
      'user.tidepool.workspace-name': workspaceName,
    },
  });
  return { created: true };
}

/** Removes the home volume if it is there. */
export async function removeHomeVolume(client: IncusClient, pool: string, instanceName: string): Promise<void> {
  try {
    await deleteStoragePoolVolume(client, pool, homeVolumeName(instanceName));
  } catch (error) {
    if (!(error instanceof TidepoolError) || error.code !== 'NOT_FOUND') throw error;
  }
}

/** Why a pool driver makes workspaces slow or large, or null when it is a copy-on-write driver. */
export function poolDriverWarning(pool: IncusStoragePool): string | null {
  if (pool.driver !== 'dir') return null;
  return (
    `The Incus storage pool “${pool.name}” uses the dir driver, which copies the whole image (about 1 GB) for every ` +
    'workspace: a workspace took about 9 s to be ready instead of about 2.3 s on btrfs. ' +
    'Run `sudo scripts/setup-incus.sh` on a host with btrfs support to get a copy-on-write pool.'
  );
}
