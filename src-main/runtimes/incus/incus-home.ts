/**
 * Filling a new home volume. The volume is mounted over /home/dev, which hides the files the image put
 * there (shell profile, code-server settings). So before the first boot Tidepool reads the image's
 * /home/dev from the stopped instance (the file API sees the bare root file system then, without the
 * volume), and after the boot writes those files into the volume. The SSH key goes to
 * /etc/tidepool/runtime/authorized_keys, which the image's first-boot unit installs into the mounted home
 * on every boot (the image template's own copy lands under the mount, out of sight).
 */
import { posix } from 'node:path';
import { TidepoolError } from '../../../src-shared/errors.js';
import type { IncusClient } from './incus-client.js';
import { createInstanceFile, getInstanceFile, type InstanceFile } from './incus-instances.js';
import { HOME_MOUNT_PATH } from './incus-storage.js';

export const RUNTIME_KEYS_PATH = '/etc/tidepool/runtime/authorized_keys';

export interface SkeletonEntry {
  /** Path relative to the home folder. */
  path: string;
  file: InstanceFile;
}

/** A home skeleton is a handful of dotfiles; more than this means something unexpected is in the image. */
const MAX_ENTRIES = 500;
const MAX_BYTES = 16 * 1024 * 1024;

/** The image's /home/dev, read from a stopped instance. */
export async function readHomeSkeleton(client: IncusClient, instanceName: string): Promise<SkeletonEntry[]> {
  const entries: SkeletonEntry[] = [];
  let bytes = 0;
  const walk = async (relative: string): Promise<void> => {
    const absolute = relative ? posix.join(HOME_MOUNT_PATH, relative) : HOME_MOUNT_PATH;
    const file = await getInstanceFile(client, instanceName, absolute);
    if (relative) entries.push({ path: relative, file });
    bytes += file.content.length;
    if (entries.length > MAX_ENTRIES || bytes > MAX_BYTES) {
      throw new TidepoolError({
        code: 'RUNTIME_ERROR',
        message: `The image's home folder is unexpectedly large (over ${MAX_ENTRIES} files or ${MAX_BYTES / 1048576} MiB).`,
        hint: 'Rebuild the workspace image.',
      });
    }
    if (file.type === 'directory') {
      for (const name of [...file.entries].sort()) await walk(relative ? posix.join(relative, name) : name);
    }
  };
  try {
    await walk('');
  } catch (error) {
    // An image without /home/dev simply has nothing to copy.
    if (error instanceof TidepoolError && error.code === 'NOT_FOUND') return [];
    throw error;
  }
  return entries;
}

/**
 * Installed by the image's first-boot unit from RUNTIME_KEYS_PATH while this copy runs (the instance is
 * already booting): the image's own empty file must not overwrite it. It did, when boots were slow
 * enough for first-boot to come first (5 of 8 workspaces started at once could not log in).
 */
const INSTALLED_AT_BOOT = new Set(['.ssh/authorized_keys']);

/** Writes the skeleton into the (running) instance's home, parents before children. */
export async function writeHomeSkeleton(client: IncusClient, instanceName: string, entries: SkeletonEntry[]): Promise<void> {
  for (const entry of entries) {
    if (INSTALLED_AT_BOOT.has(entry.path)) continue;
    const target = posix.join(HOME_MOUNT_PATH, entry.path);
    await createInstanceFile(client, instanceName, target, {
      type: entry.file.type,
      uid: entry.file.uid,
      gid: entry.file.gid,
      mode: entry.file.mode,
      ...(entry.file.type === 'directory' ? {} : { content: entry.file.content }),
    });
  }
}

/** Puts the workspace's public key where the image's first-boot unit picks it up. */
export async function writeRuntimeAuthorizedKeys(client: IncusClient, instanceName: string, publicKey: string): Promise<void> {
  await createInstanceFile(client, instanceName, '/etc/tidepool/runtime', { type: 'directory', uid: 0, gid: 0, mode: 0o755 });
  await createInstanceFile(client, instanceName, RUNTIME_KEYS_PATH, {
    type: 'file',
    uid: 0,
    gid: 0,
    mode: 0o644,
    content: `${publicKey.trim()}\n`,
  });
}
