/**
 * Shared by the Incus integration tests: why they cannot run here (not root, no incusd, no image), a
 * runtime on the local socket, and quick guest commands.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS } from '../../settings.js';
import type { InstanceSpec, OperationContext } from '../runtime.js';
import { DEFAULT_SOCKET_PATH, IncusClient } from './incus-client.js';
import { execInstance, type ExecResult } from './incus-exec.js';
import { getImageAliases, readImageVersion } from './incus-images.js';
import { IncusRuntime } from './incus-runtime.js';

export const TEST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG0n6d0m8nqzQ4k3xq3x8d0v6q1u0zQ0Y3o4y8x0cV0a tidepool-integration';

/** Null when the tests can run, else the reason (printed by the caller when it skips). */
export async function incusUnavailableReason(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'Incus integration tests need root (they drive the local incusd and create network namespaces).';
  const client = new IncusClient({ kind: 'unix', socketPath: DEFAULT_SOCKET_PATH });
  try {
    await client.query('GET', '/1.0', { timeoutMs: 5_000 });
  } catch (error) {
    return `incusd does not answer on ${DEFAULT_SOCKET_PATH} (${(error as Error).message}); run sudo scripts/setup-incus.sh.`;
  }
  const image = `tidepool/${readImageVersion()}`;
  const aliases = await getImageAliases(client);
  if (!aliases.some((alias) => alias.name === image)) return `the image ${image} is missing; bake it with sudo images/incus/bake.sh.`;
  return null;
}

export function localRuntime(): IncusRuntime {
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-incus-it-'));
  return new IncusRuntime({ dataDir, settings: () => DEFAULT_SETTINGS });
}

export function quietContext(signal = new AbortController().signal): OperationContext {
  return { signal, progress: () => undefined, log: () => undefined };
}

/** A unique workspace name per run, so a crashed earlier run cannot collide. */
export function testName(stem: string): string {
  return `it-${stem}-${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}`;
}

export function specFor(runtime: IncusRuntime, workspaceName: string, overrides: Partial<InstanceSpec> = {}): InstanceSpec {
  return {
    instanceName: `tp-${workspaceName}`,
    workspaceId: randomUUID(),
    workspaceName,
    kind: 'container',
    image: runtime.defaultImage(),
    resources: { cpus: 1, memoryMiB: 1024, diskGiB: 8 },
    network: { mode: 'isolated' },
    sshPublicKey: TEST_KEY,
    ...overrides,
  };
}

/** Runs a shell command in the guest (as root unless `user` is given). */
export async function guestSh(runtime: IncusRuntime, instanceName: string, script: string, user?: number): Promise<ExecResult & { out: string }> {
  const result = await execInstance(await runtime.client(), instanceName, {
    command: ['sh', '-c', script],
    timeoutMs: 60_000,
    ...(user !== undefined ? { user, group: user, cwd: '/home/dev', environment: { HOME: '/home/dev' } } : {}),
  });
  return { ...result, out: result.stdout.toString('utf8').trim() };
}

/** Deletes test instances (and their home volumes) whatever state they are in; never throws. */
export async function removeQuietly(runtime: IncusRuntime, instanceNames: string[]): Promise<void> {
  for (const name of instanceNames) {
    await runtime.delete(name, quietContext(), { keepHome: false }).catch(() => undefined);
  }
}
