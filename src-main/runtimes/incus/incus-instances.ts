/** Incus instance endpoints (`/1.0/instances/...`): one function per endpoint, plus the types they carry. */
import { TidepoolError } from '../../../src-shared/errors.js';
import { sleep } from '../../util/abort.js';
import type { IncusClient, IncusOperation } from './incus-client.js';

export type IncusDevices = Record<string, Record<string, string>>;

export interface IncusInstance {
  name: string;
  type: 'container' | 'virtual-machine';
  status: string;
  status_code: number;
  config: Record<string, string>;
  devices: IncusDevices;
  expanded_config?: Record<string, string>;
  expanded_devices?: IncusDevices;
  profiles: string[];
  ephemeral: boolean;
  description: string;
  architecture: string;
  stateful: boolean;
}

export interface InstancesPost {
  name: string;
  type: 'container' | 'virtual-machine';
  source: { type: 'image'; alias?: string; fingerprint?: string } | { type: 'none' };
  config: Record<string, string>;
  devices: IncusDevices;
  profiles: string[];
  start?: boolean;
  description?: string;
}

export interface IncusInstanceState {
  status: string;
  status_code: number;
  pid: number;
  processes: number;
  cpu: { usage: number };
  memory: { usage: number; usage_peak?: number; total?: number };
  disk: Record<string, { usage: number; total?: number }> | null;
  network: Record<
    string,
    {
      addresses: { family: 'inet' | 'inet6'; address: string; netmask: string; scope: string }[];
      hwaddr: string;
      state: string;
      host_name: string;
    }
  > | null;
}

export interface InstanceStatePut {
  action: 'start' | 'stop' | 'restart' | 'freeze' | 'unfreeze';
  /** Seconds to wait for a clean shutdown before the action fails (stop/restart). */
  timeout?: number;
  force?: boolean;
  stateful?: boolean;
}

const base = (name: string): string => `/1.0/instances/${encodeURIComponent(name)}`;

export async function getInstances(client: IncusClient): Promise<IncusInstance[]> {
  return (await client.query<IncusInstance[]>('GET', '/1.0/instances?recursion=1', { action: 'list instances' })).metadata;
}

/** recursion=2: every instance with its state (addresses) in one call; one Incus cannot load just now comes with `config: null`. */
export async function getInstancesFull(client: IncusClient): Promise<(IncusInstance & { state: IncusInstanceState | null })[]> {
  return (await client.query<(IncusInstance & { state: IncusInstanceState | null })[]>('GET', '/1.0/instances?recursion=2', { action: 'list instances' })).metadata;
}

export async function getInstance(client: IncusClient, name: string): Promise<{ instance: IncusInstance; etag: string | null }> {
  const reply = await client.query<IncusInstance>('GET', base(name), { action: `read the instance ${name}` });
  return { instance: reply.metadata, etag: reply.etag };
}

export async function createInstance(
  client: IncusClient,
  request: InstancesPost,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<IncusOperation> {
  return client.run('POST', '/1.0/instances', {
    body: request,
    action: `create the instance ${request.name}`,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { waitTimeoutMs: options.timeoutMs } : {}),
  });
}

/** PATCH: merges config and devices into the instance (sync on Incus 6). */
export async function updateInstancePatch(
  client: IncusClient,
  name: string,
  patch: { config?: Record<string, string>; devices?: IncusDevices },
): Promise<void> {
  await client.query('PATCH', base(name), { body: patch, action: `update the instance ${name}` });
}

/** PUT: replaces the whole instance definition; `etag` guards against a concurrent change. */
export async function updateInstance(
  client: IncusClient,
  name: string,
  instance: Pick<IncusInstance, 'config' | 'devices' | 'profiles' | 'ephemeral' | 'description' | 'architecture' | 'stateful'>,
  etag?: string,
): Promise<void> {
  const reply = await client.query<IncusOperation>('PUT', base(name), {
    body: instance,
    action: `update the instance ${name}`,
    ...(etag ? { etag } : {}),
  });
  if (reply.type === 'async' && reply.metadata?.id) await client.waitOperation(reply.metadata.id, { action: `update the instance ${name}` });
}

export async function deleteInstance(client: IncusClient, name: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
  await client.run('DELETE', base(name), {
    action: `delete the instance ${name}`,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { waitTimeoutMs: options.timeoutMs } : {}),
  });
}

export async function getInstanceState(client: IncusClient, name: string, signal?: AbortSignal): Promise<IncusInstanceState> {
  return (
    await client.query<IncusInstanceState>('GET', `${base(name)}/state`, {
      action: `read the state of ${name}`,
      ...(signal ? { signal } : {}),
    })
  ).metadata;
}

export async function updateInstanceState(
  client: IncusClient,
  name: string,
  state: InstanceStatePut,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<void> {
  await client.run('PUT', `${base(name)}/state`, {
    body: state,
    action: `${state.force ? 'force-' : ''}${state.action} ${name}`,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { waitTimeoutMs: options.timeoutMs } : {}),
  });
}

export interface InstanceFile {
  type: 'file' | 'directory' | 'symlink';
  uid: number;
  gid: number;
  mode: number;
  /** File content, or the link target for symlinks. */
  content: Buffer;
  /** Entry names, for directories. */
  entries: string[];
}

/**
 * Incus serves a stopped container's files through a short-lived helper process (forkfile); a request that
 * races its exit fails with "dial unix …/forkfile.sock: … no such file or directory" (seen with 8 workspaces
 * created at once) and succeeds when repeated. Three tries within 0.3 s were once not enough under that load,
 * so it gets up to 6, about 1.5 s in all.
 */
const FORKFILE_ATTEMPTS = 6;

async function retryingForkfile<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= FORKFILE_ATTEMPTS || !(error instanceof TidepoolError) || !/forkfile/.test(error.detail ?? '')) throw error;
      await sleep(100 * attempt);
    }
  }
}

/** GET /1.0/instances/<n>/files?path=: a file's bytes with owner and mode, or a directory's entries. */
export async function getInstanceFile(client: IncusClient, name: string, path: string): Promise<InstanceFile> {
  return retryingForkfile(() => readInstanceFile(client, name, path));
}

async function readInstanceFile(client: IncusClient, name: string, path: string): Promise<InstanceFile> {
  const response = await client.raw('GET', `${base(name)}/files?path=${encodeURIComponent(path)}`);
  const header = (key: string): string => String(response.headers[key] ?? '');
  const type = header('x-incus-type') as InstanceFile['type'];
  if (response.status !== 200 || !type) {
    // Errors come back as the usual JSON envelope.
    await client.query('GET', `${base(name)}/files?path=${encodeURIComponent(path)}`, { action: `read ${path} in ${name}` });
  }
  const file: InstanceFile = {
    type,
    uid: Number(header('x-incus-uid')),
    gid: Number(header('x-incus-gid')),
    mode: Number.parseInt(header('x-incus-mode') || '0', 8),
    content: Buffer.alloc(0),
    entries: [],
  };
  if (type === 'directory') file.entries = (JSON.parse(response.body.toString('utf8')) as { metadata: string[] }).metadata ?? [];
  else file.content = response.body;
  return file;
}

/** POST /1.0/instances/<n>/files?path=: writes a file, directory or symlink with the given owner and mode. */
export async function createInstanceFile(
  client: IncusClient,
  name: string,
  path: string,
  file: { type: InstanceFile['type']; uid: number; gid: number; mode: number; content?: Buffer | string },
): Promise<void> {
  await retryingForkfile(() => client.query('POST', `${base(name)}/files?path=${encodeURIComponent(path)}`, {
    // Without an octet-stream content type Incus parses the body as a form and writes an empty file.
    raw: file.content ?? '',
    contentType: 'application/octet-stream',
    headers: {
      'X-Incus-type': file.type,
      'X-Incus-uid': String(file.uid),
      'X-Incus-gid': String(file.gid),
      'X-Incus-mode': file.mode.toString(8).padStart(4, '0'),
      'X-Incus-write': 'overwrite',
    },
    action: `write ${path} in ${name}`,
  }));
}
