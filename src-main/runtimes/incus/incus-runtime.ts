/**
 * The Incus runtime: workspaces as Incus system containers (or VMs where the server can run them), driven
 * over the REST API of the local socket or a trusted remote. Each workspace instance gets Tidepool's marks
 * (`user.tidepool.*`), its resources as limits, the btrfs pool `tidepool`, a home volume that outlives the
 * instance, and a NIC on `tidepoolbr0` (whose ACLs isolate it) with port isolation and anti-spoofing.
 */
import type { Duplex } from 'node:stream';
import { readFileSync, statSync } from 'node:fs';
import { TidepoolError } from '../../../src-shared/errors.js';
import type {
  ImageInfo,
  InstanceKind,
  InstanceStats,
  KindSupport,
  RuntimeCapabilities,
  RuntimeInfo,
  SetupStep,
  Settings,
} from '../../../src-shared/workspace.js';
import { pollUntil, sleep, throwIfAborted } from '../../util/abort.js';
import type {
  ConfigureSettings,
  DeleteOptions,
  InstanceSpec,
  InstanceState,
  InstanceStatus,
  InstanceSummary,
  OperationContext,
  Runtime,
  StopOptions,
} from '../runtime.js';
import { DEFAULT_SOCKET_PATH, IncusClient, type IncusEndpoint } from './incus-client.js';
import { execChecked } from './incus-exec.js';
import { readHomeSkeleton, writeHomeSkeleton, writeRuntimeAuthorizedKeys } from './incus-home.js';
import { listTidepoolImages, getImageAliases, readImageVersion, DEFAULT_IMAGES_DIR } from './incus-images.js';
import {
  createInstance,
  deleteInstance,
  getInstance,
  getInstanceState,
  getInstances,
  getInstancesFull,
  updateInstancePatch,
  updateInstanceState,
  type IncusInstance,
  type IncusInstanceState,
  type InstancesPost,
} from './incus-instances.js';
import { ensureBridge, serverLanRanges, syncBridgeAcls, TIDEPOOL_BRIDGE, workspaceNic, type WorkspaceNetwork } from './incus-network.js';
import { endpointFromSettings } from './incus-remote.js';
import { openExecStream } from './incus-exec-stream.js';
import {
  ensureHomeVolume,
  getStoragePool,
  getStoragePoolResources,
  getStoragePoolVolume,
  HOME_MOUNT_PATH,
  HOME_SEEDED_KEY,
  homeVolumeName,
  poolDriverWarning,
  removeHomeVolume,
  updateStoragePoolVolumePatch,
} from './incus-storage.js';

export const TIDEPOOL_POOL = 'tidepool';
/** The config key the image's templates read (images/incus/templates/authorized_keys.tpl). */
export const AUTHORIZED_KEYS_KEY = 'user.tidepool.ssh_authorized_keys';
export const MARK_MANAGED = 'user.tidepool.managed';
export const MARK_WORKSPACE_ID = 'user.tidepool.workspace-id';
export const MARK_WORKSPACE_NAME = 'user.tidepool.workspace-name';
/** A started instance the warm pool keeps for the next new workspace. */
export const MARK_WARM = 'user.tidepool.warm';
/** Read by the image's hostname templates when an instance is copied. */
const HOSTNAME_KEY = 'user.tidepool.hostname';
/** Sets the running guest's hostname to $1 (/etc/hostname, the kernel's, and the 127.0.1.1 line). */
const SET_HOSTNAME = [
  'printf "%s\\n" "$1" > /etc/hostname',
  'hostname "$1"',
  'if grep -q "^127\\.0\\.1\\.1[[:space:]]" /etc/hosts; then sed -i "s/^127\\.0\\.1\\.1[[:space:]].*/127.0.1.1\\t$1/" /etc/hosts; else printf "127.0.1.1\\t%s\\n" "$1" >> /etc/hosts; fi',
].join('; ');
/** The workspace's allow-list (comma-separated CIDRs), kept on the instance so the ACLs can be rebuilt from Incus alone. */
export const NETWORK_ALLOW_KEY = 'user.tidepool.network-allow';
const SETUP_COMMAND = 'sudo scripts/setup-incus.sh';
/** How many times status() asks again while Incus is still noticing that a container went down (250 ms apart). */
const STATUS_SETTLE_ATTEMPTS = 20;
/** What scripts/setup-incus.sh sets (the Incus production-setup value). */
const RECOMMENDED_INOTIFY_INSTANCES = 1024;
/** How long an action waits for another operation on the same instance to end. */
const BUSY_WAIT_MS = 120_000;

interface ServerInfo {
  auth: 'trusted' | 'untrusted';
  environment: {
    driver?: string;
    server_version?: string;
    storage?: string;
    firewall?: string;
  };
}

interface ServerWarning {
  type: string;
  last_message: string;
  status: string;
}

interface ServerResources {
  cpu: { total: number };
  memory: { total: number; used: number };
}

export interface IncusRuntimeOptions {
  dataDir: string;
  settings: () => Settings;
  pool?: string;
  bridge?: string;
  imagesDir?: string;
  /** Builds the client for an endpoint (tests point it at a fake server). */
  client?: (endpoint: IncusEndpoint) => IncusClient;
  /** One server for good (a remote's name, null for the local socket); left out, the active remote is followed. */
  location?: string | null;
}

export class IncusRuntime implements Runtime {
  readonly id = 'incus' as const;
  readonly displayName = 'Incus';
  private readonly pool: string;
  private readonly bridge: string;
  private cached: { key: string; client: IncusClient } | null = null;
  private readonly cpuSamples = new Map<string, { usageNs: number; at: number }>();
  /** ACL updates run one at a time: each is computed from everything Incus holds at that moment. */
  private aclSync: Promise<void> = Promise.resolve();
  /** This runtime fixed to one server each (see `at`), and for those, the runtime they came from. */
  private readonly bound = new Map<string, IncusRuntime>();
  private parent: IncusRuntime | null = null;

  constructor(private readonly options: IncusRuntimeOptions) {
    this.pool = options.pool ?? TIDEPOOL_POOL;
    this.bridge = options.bridge ?? TIDEPOOL_BRIDGE;
  }

  /** The client for this runtime's server: its own location, else the one the settings name now. */
  async client(): Promise<IncusClient> {
    const endpoint = await endpointFromSettings(this.options.settings(), this.options.dataDir, this.options.location);
    const key = endpoint.kind === 'unix' ? `unix:${endpoint.socketPath}` : `https:${endpoint.url}:${endpoint.serverFingerprint}`;
    if (this.cached?.key !== key) {
      this.cached = { key, client: this.options.client ? this.options.client(endpoint) : new IncusClient(endpoint) };
    }
    return this.cached.client;
  }

  at(location: string | null): IncusRuntime {
    if (this.options.location !== undefined) return this.options.location === location ? this : this.root().at(location);
    const key = location ?? '';
    let runtime = this.bound.get(key);
    if (!runtime) {
      runtime = new IncusRuntime({ ...this.options, location });
      // ACL updates queue on the root, whichever server they are for.
      runtime.parent = this;
      this.bound.set(key, runtime);
    }
    return runtime;
  }

  location(): string | null {
    return this.options.location !== undefined ? this.options.location : this.options.settings().incus.activeRemote;
  }

  sshStream(instanceName: string): ((signal: AbortSignal) => Promise<Duplex>) | null {
    if (!this.location()) return null;
    return async (signal) => openExecStream(await this.client(), instanceName, ['/usr/sbin/sshd', '-i'], signal);
  }

  private root(): IncusRuntime {
    return this.parent ?? this;
  }

  defaultImage(): string {
    return `tidepool/${readImageVersion(this.options.imagesDir ?? DEFAULT_IMAGES_DIR)}`;
  }

  async inspect(): Promise<RuntimeInfo> {
    const info: RuntimeInfo = {
      id: this.id,
      displayName: this.displayName,
      available: false,
      simulated: false,
      version: null,
      capabilities: null,
      setup: [],
      warnings: [],
    };
    let client: IncusClient;
    let server: ServerInfo;
    try {
      client = await this.client();
      server = (await client.query<ServerInfo>('GET', '/1.0', { timeoutMs: 5_000 })).metadata;
    } catch (error) {
      const failure = error instanceof TidepoolError ? error : null;
      const why = [failure?.message ?? String(error), failure?.detail].filter(Boolean).join(' ');
      const remote = this.location();
      info.setup.push(
        remote
          ? {
              id: 'incus',
              title: `Reach the Incus server “${remote}”`,
              ok: false,
              detail: `${why} Check that the server is up and reachable from here, or go back to this computer in Settings → Incus servers, or with:`,
              command: 'tidepool remote use local',
            }
          : { id: 'incus', title: 'Install and start Incus', ok: false, detail: why, command: SETUP_COMMAND },
      );
      return info;
    }
    if (server.auth !== 'trusted') {
      info.setup.push({
        id: 'incus-trust',
        title: `Get ${client.describe()} to trust Tidepool`,
        ok: false,
        detail: 'The server does not trust Tidepool’s certificate any more. Add the remote again with a new trust token.',
        command: 'incus config trust add tidepool   # on the server, then paste the token in Tidepool',
      });
      return info;
    }
    info.available = true;
    info.version = server.environment.server_version ?? null;
    info.setup.push({ id: 'incus', title: 'Install and start Incus', ok: true });
    info.setup.push(await this.poolStep(client, info.warnings));
    if (!client.isRemote()) {
      const warning = inotifyWarning(readInotifyLimit());
      if (warning) info.warnings.push(warning);
    }
    try {
      await client.query('GET', `/1.0/networks/${encodeURIComponent(this.bridge)}`);
    } catch (error) {
      if (!(error instanceof TidepoolError) || error.code !== 'NOT_FOUND') throw error;
      info.warnings.push(`The workspace network ${this.bridge} does not exist yet; Tidepool creates it with the first workspace.`);
    }
    info.capabilities = await this.capabilitiesOf(client, server);
    return info;
  }

  async capabilities(): Promise<RuntimeCapabilities> {
    const client = await this.client();
    const server = (await client.query<ServerInfo>('GET', '/1.0')).metadata;
    return this.capabilitiesOf(client, server);
  }

  async images(): Promise<ImageInfo[]> {
    return listTidepoolImages(await this.client(), readImageVersion(this.options.imagesDir ?? DEFAULT_IMAGES_DIR));
  }

  async create(spec: InstanceSpec, ctx: OperationContext): Promise<void> {
    const client = await this.client();
    if (spec.instanceName.length > 63) {
      throw new TidepoolError({
        code: 'INVALID_INPUT',
        message: `The workspace name is too long for Incus (instance names are at most 63 characters, “${spec.instanceName}” has ${spec.instanceName.length}).`,
        fields: { name: `At most ${63 - (spec.instanceName.length - spec.workspaceName.length)} characters on Incus.` },
      });
    }
    const server = (await client.query<ServerInfo>('GET', '/1.0', { signal: ctx.signal })).metadata;
    const kinds = (await this.capabilitiesOf(client, server)).kinds;
    if (!kinds[spec.kind].available) {
      throw new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: `${client.describe()} cannot run ${spec.kind === 'vm' ? 'virtual machines' : 'containers'}.`,
        hint: kinds[spec.kind].reason,
      });
    }
    await this.checkResources(client, spec);
    await this.requirePool(client);
    const aliases = await getImageAliases(client);
    if (!aliases.some((alias) => alias.name === spec.image)) {
      throw new TidepoolError({
        code: 'IMAGE_MISSING',
        message: `The workspace image ${spec.image} is not on ${client.describe()}.`,
        hint: 'Build it once with `tidepool image build --runtime incus` (runs images/incus/bake.sh).',
      });
    }
    throwIfAborted(ctx.signal);
    ctx.progress('Preparing the network');
    await ensureBridge(client, this.bridge);
    await this.syncIsolation(client);
    ctx.progress('Preparing the home folder');
    const home = await ensureHomeVolume(client, this.pool, spec.instanceName, spec.workspaceName);
    ctx.log(home.created ? `incus: created home volume ${homeVolumeName(spec.instanceName)}` : `incus: reusing home volume ${homeVolumeName(spec.instanceName)}`);
    ctx.progress(`Cloning ${spec.image}`);
    const request = this.instanceRequest(spec);
    try {
      await createInstance(client, request, { signal: ctx.signal, timeoutMs: 600_000 });
      await writeRuntimeAuthorizedKeys(client, spec.instanceName, spec.sshPublicKey);
    } catch (error) {
      if (home.created) await removeHomeVolume(client, this.pool, spec.instanceName).catch(() => undefined);
      throw error;
    }
    ctx.log(`incus: created ${spec.kind === 'vm' ? 'VM' : 'container'} ${spec.instanceName} from ${spec.image} on pool ${this.pool}`);
  }

  async start(instanceName: string, ctx: OperationContext): Promise<void> {
    const client = await this.client();
    const volume = await getStoragePoolVolume(client, this.pool, homeVolumeName(instanceName)).catch(() => null);
    const seed = volume && volume.config[HOME_SEEDED_KEY] !== 'true';
    const status = await this.status(instanceName);
    // The image's home files are only readable while the instance is stopped (see incus-home.ts).
    const skeleton = seed && status.state === 'stopped' ? await readHomeSkeleton(client, instanceName) : null;
    if (status.state !== 'running') {
      ctx.progress('Starting the instance');
      await whenInstanceIdle(() => updateInstanceState(client, instanceName, { action: 'start' }, { signal: ctx.signal, timeoutMs: 120_000 }), ctx.signal);
    }
    if (skeleton) {
      ctx.progress('Filling the home folder');
      await writeHomeSkeleton(client, instanceName, skeleton);
      await updateStoragePoolVolumePatch(client, this.pool, homeVolumeName(instanceName), { [HOME_SEEDED_KEY]: 'true' });
      ctx.log(`incus: copied ${skeleton.length} files of the image's home folder into the home volume`);
    }
  }

  async stop(instanceName: string, ctx: OperationContext, options: StopOptions = {}): Promise<void> {
    const client = await this.client();
    const status = await this.status(instanceName);
    if (status.state === 'stopped' || status.state === 'missing') return;
    if (!options.force) {
      const seconds = Math.max(1, Math.round((options.timeoutMs ?? 30_000) / 1000));
      try {
        await updateInstanceState(client, instanceName, { action: 'stop', timeout: seconds }, { signal: ctx.signal, timeoutMs: (seconds + 15) * 1000 });
        return;
      } catch (error) {
        if (error instanceof TidepoolError && error.code === 'CANCELLED') throw error;
        ctx.log(`incus: ${instanceName} did not shut down within ${seconds} s; powering it off`, 'warn');
      }
    }
    await updateInstanceState(client, instanceName, { action: 'stop', force: true }, { signal: ctx.signal, timeoutMs: 60_000 });
  }

  async delete(instanceName: string, ctx: OperationContext, options: DeleteOptions = {}): Promise<void> {
    const client = await this.client();
    let instance: IncusInstance | null = null;
    try {
      instance = (await getInstance(client, instanceName)).instance;
    } catch (error) {
      if (!(error instanceof TidepoolError) || error.code !== 'NOT_FOUND') throw error;
    }
    if (instance) {
      if (instance.status_code !== 102) {
        await whenInstanceIdle(() => updateInstanceState(client, instanceName, { action: 'stop', force: true }, { timeoutMs: 60_000 })).catch(unlessGone);
      }
      ctx.progress('Removing the instance');
      await whenInstanceIdle(() => deleteInstance(client, instanceName, { timeoutMs: 300_000 })).catch(unlessGone);
    }
    if (instance?.config[NETWORK_ALLOW_KEY]) {
      await this.syncIsolation(client).catch((error: unknown) => ctx.log(`incus: could not remove the allow-list ACL: ${String(error)}`, 'warn'));
    }
    if (options.keepHome) {
      ctx.log(`incus: kept home volume ${homeVolumeName(instanceName)}`);
    } else {
      await removeHomeVolume(client, this.pool, instanceName);
    }
    this.cpuSamples.delete(instanceName);
  }

  async status(instanceName: string): Promise<InstanceStatus> {
    const client = await this.client();
    for (let attempt = 1; ; attempt += 1) {
      try {
        const state = await getInstanceState(client, instanceName);
        return statusOf(state.status_code, state.status);
      } catch (error) {
        if (error instanceof TidepoolError && error.code === 'NOT_FOUND') return { state: 'missing' };
        // A container whose init just died is answered with "Invalid PID" for about a second, until Incus
        // has seen it stop (measured on Incus 6.0); that is not a failure of the caller's operation.
        if (!(error instanceof TidepoolError && /Invalid PID/i.test(error.detail ?? ''))) throw error;
        if (attempt >= STATUS_SETTLE_ATTEMPTS) return { state: 'stopping' };
        await sleep(250);
      }
    }
  }

  async getIp(instanceName: string, ctx: OperationContext, timeoutMs: number): Promise<string | null> {
    const client = await this.client();
    return pollUntil(
      async () => {
        const state = await getInstanceState(client, instanceName, ctx.signal);
        if (state.status_code !== 103) return null;
        return ipv4Of(state);
      },
      // The lease usually lands within a second of the start: poll tightly so the wait ends when it does.
      { timeoutMs, intervalMs: 100, signal: ctx.signal },
    );
  }

  async list(): Promise<InstanceSummary[]> {
    const instances = await getInstances(await this.client());
    return instances
      .filter((instance) => instance.config[MARK_MANAGED] === 'true')
      .map((instance) => ({
        instanceName: instance.name,
        state: statusOf(instance.status_code, instance.status).state,
        workspaceId: instance.config[MARK_WORKSPACE_ID] || null,
        workspaceName: instance.config[MARK_WORKSPACE_NAME] || null,
        ...(instance.config[MARK_WARM] === 'true' ? { warm: true } : {}),
      }));
  }

  /** A running container cannot be renamed, so the warm instance keeps its name; its marks and hostname change. */
  async claimWarm(instanceName: string, spec: InstanceSpec, ctx: OperationContext): Promise<void> {
    const client = await this.client();
    const { instance } = await getInstance(client, instanceName);
    if (instance.config[MARK_WARM] !== 'true' || instance.status_code !== 103) {
      throw new TidepoolError({ code: 'INVALID_STATE', message: `The instance ${instanceName} is not a running warm-pool instance.` });
    }
    await updateInstancePatch(client, instanceName, {
      config: { [MARK_WARM]: '', [MARK_WORKSPACE_ID]: spec.workspaceId, [MARK_WORKSPACE_NAME]: spec.workspaceName, [HOSTNAME_KEY]: spec.workspaceName },
    });
    await execChecked(client, instanceName, { command: ['sh', '-c', SET_HOSTNAME, 'sh', spec.workspaceName], signal: ctx.signal, timeoutMs: 30_000 }, 'set the hostname');
    ctx.log(`incus: ${spec.workspaceName} took the warm instance ${instanceName}`);
  }

  async stats(instanceName: string): Promise<InstanceStats | null> {
    const client = await this.client();
    let state: IncusInstanceState;
    try {
      state = await getInstanceState(client, instanceName);
    } catch (error) {
      if (error instanceof TidepoolError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
    if (state.status_code !== 103) return null;
    let previous = this.cpuSamples.get(instanceName);
    if (!previous) {
      // No earlier sample: take a second one shortly after for a rate.
      previous = { usageNs: state.cpu.usage, at: Date.now() };
      await sleep(500);
      state = await getInstanceState(client, instanceName);
    }
    const now = Date.now();
    this.cpuSamples.set(instanceName, { usageNs: state.cpu.usage, at: now });
    const cpus = Number((await getInstance(client, instanceName)).instance.config['limits.cpu']) || 1;
    const elapsedNs = Math.max(1, now - previous.at) * 1e6;
    // Share of the workspace's own CPU allotment, 0–100.
    const cpuPercent = Math.min(100, Math.max(0, ((state.cpu.usage - previous.usageNs) / elapsedNs / cpus) * 100));
    return {
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      memoryBytes: state.memory?.usage ?? null,
      diskBytes: state.disk?.root?.usage ?? null,
    };
  }

  /** Applies the network policy: records the allow-list on the instance and rebuilds the bridge's ACLs. */
  async configure(instanceName: string, settings: ConfigureSettings, ctx: OperationContext): Promise<void> {
    const client = await this.client();
    const { instance } = await getInstance(client, instanceName);
    const allow = settings.network.mode === 'allow-list' ? settings.network.allow.join(',') : '';
    if ((instance.config[NETWORK_ALLOW_KEY] ?? '') !== allow) {
      await updateInstancePatch(client, instanceName, { config: { [NETWORK_ALLOW_KEY]: allow } });
      ctx.log(`incus: network policy of ${instanceName} is now ${settings.network.mode}${allow ? ` (${allow})` : ''}`);
    }
    const ipv6 = settings.network.mode === 'allow-list' ? settings.network.allow.filter((cidr) => cidr.includes(':')) : [];
    if (ipv6.length > 0) {
      ctx.log(`incus: ${ipv6.join(', ')} allowed, but the workspace network has IPv4 only, so IPv6 networks stay out of reach`, 'warn');
    }
    await this.syncIsolation(client);
  }

  /** Rebuilds the bridge ACLs from the Tidepool instances Incus holds (their addresses and allow-lists). */
  private syncIsolation(client: IncusClient): Promise<void> {
    const run = async (): Promise<void> => {
      // An instance being created or deleted right now is listed as a stand-in with no config (status
      // Error): it has no address yet and is left out, which can only make the rules stricter until the next sync.
      const instances = (await getInstancesFull(client)).filter((instance) => instance.config !== null);
      const workspaces: WorkspaceNetwork[] = instances
        .filter((instance) => instance.config[MARK_MANAGED] === 'true')
        .map((instance) => ({
          workspaceName: instance.config[MARK_WORKSPACE_NAME] ?? instance.name,
          address: instance.state ? ipv4Of(instance.state) : null,
          allow: (instance.config[NETWORK_ALLOW_KEY] ?? '').split(',').filter(Boolean),
        }));
      await syncBridgeAcls(client, this.bridge, workspaces, await serverLanRanges(client, this.bridge));
    };
    const queue = this.root();
    const next = queue.aclSync.then(run, run);
    queue.aclSync = next.catch(() => undefined);
    return next;
  }

  // ---- helpers -----------------------------------------------------------------------------------

  private instanceRequest(spec: InstanceSpec): InstancesPost {
    return {
      name: spec.instanceName,
      type: spec.kind === 'vm' ? 'virtual-machine' : 'container',
      source: { type: 'image', alias: spec.image },
      description: `Tidepool workspace ${spec.workspaceName}`,
      // No profiles: everything the instance needs is below, so a customised default profile cannot
      // add a NIC that bypasses the isolation.
      profiles: [],
      config: {
        'limits.cpu': String(spec.resources.cpus),
        'limits.memory': `${spec.resources.memoryMiB}MiB`,
        [MARK_MANAGED]: 'true',
        [MARK_WORKSPACE_ID]: spec.workspaceId,
        [MARK_WORKSPACE_NAME]: spec.workspaceName,
        [AUTHORIZED_KEYS_KEY]: spec.sshPublicKey.trim(),
        ...(spec.warm ? { [MARK_WARM]: 'true' } : {}),
        ...(spec.network.mode === 'allow-list' ? { [NETWORK_ALLOW_KEY]: spec.network.allow.join(',') } : {}),
      },
      devices: {
        root: { type: 'disk', path: '/', pool: this.pool, size: `${spec.resources.diskGiB}GiB` },
        home: { type: 'disk', pool: this.pool, source: homeVolumeName(spec.instanceName), path: HOME_MOUNT_PATH },
        eth0: workspaceNic(this.bridge),
      },
    };
  }

  private async checkResources(client: IncusClient, spec: InstanceSpec): Promise<void> {
    const resources = (await client.query<ServerResources>('GET', '/1.0/resources', { action: 'read the server resources' })).metadata;
    const fields: Record<string, string> = {};
    const totalCpus = resources.cpu.total;
    const totalMiB = Math.floor(resources.memory.total / 1048576);
    if (spec.resources.cpus > totalCpus) fields['resources.cpus'] = `This server has ${totalCpus} CPUs; use at most ${totalCpus}.`;
    if (spec.resources.memoryMiB > totalMiB) fields['resources.memoryMiB'] = `This server has ${totalMiB} MiB of memory; use at most ${totalMiB} MiB.`;
    const space = await getStoragePoolResources(client, this.pool).catch(() => null);
    const totalGiB = space ? Math.floor(space.space.total / 1073741824) : null;
    if (totalGiB !== null && totalGiB > 0 && spec.resources.diskGiB > totalGiB) {
      fields['resources.diskGiB'] = `The storage pool ${this.pool} holds ${totalGiB} GiB; use at most ${totalGiB} GiB.`;
    }
    const problems = Object.values(fields);
    if (problems.length > 0) {
      throw new TidepoolError({
        code: 'INVALID_INPUT',
        message: `The workspace asks for more than ${client.describe()} has: ${problems.join(' ')}`,
        fields,
      });
    }
  }

  private async requirePool(client: IncusClient): Promise<void> {
    try {
      await getStoragePool(client, this.pool);
    } catch (error) {
      if (error instanceof TidepoolError && error.code === 'NOT_FOUND') {
        throw new TidepoolError({
          code: 'RUNTIME_NOT_SET_UP',
          message: `The Incus storage pool “${this.pool}” does not exist.`,
          hint: `Run \`${SETUP_COMMAND}\` to create it.`,
        });
      }
      throw error;
    }
  }

  private async poolStep(client: IncusClient, warnings: string[]): Promise<SetupStep> {
    const title = `Storage pool “${this.pool}”`;
    try {
      const pool = await getStoragePool(client, this.pool);
      const warning = poolDriverWarning(pool);
      if (warning) warnings.push(warning);
      return { id: 'incus-pool', title, ok: true };
    } catch (error) {
      if (!(error instanceof TidepoolError) || error.code !== 'NOT_FOUND') throw error;
      const where = this.location() ? ' on the server; run this there, from a Tidepool checkout' : '';
      return { id: 'incus-pool', title, ok: false, detail: `The pool ${this.pool} does not exist yet${where}.`, command: SETUP_COMMAND };
    }
  }

  private async capabilitiesOf(client: IncusClient, server: ServerInfo): Promise<RuntimeCapabilities> {
    const drivers = (server.environment.driver ?? '').split('|').map((driver) => driver.trim());
    const kinds: Record<InstanceKind, KindSupport> = {
      container: drivers.includes('lxc') ? { available: true } : { available: false, reason: await this.driverReason(client, 'container') },
      vm: drivers.includes('qemu') ? { available: true } : { available: false, reason: await this.driverReason(client, 'vm') },
    };
    return { kinds, suspend: false, snapshots: false, stats: true, networkAllowList: true, separateHome: true };
  }

  /** The server's own reason a driver is missing (its "Instance type not operational" warning), in user words. */
  private async driverReason(client: IncusClient, kind: InstanceKind): Promise<string> {
    const warnings = await client
      .query<ServerWarning[]>('GET', '/1.0/warnings?recursion=1')
      .then((reply) => reply.metadata)
      .catch(() => [] as ServerWarning[]);
    const reasons = warnings.filter((warning) => warning.type === 'Instance type not operational' && warning.status !== 'resolved').map((warning) => warning.last_message);
    const what = kind === 'vm' ? 'virtual machines' : 'containers';
    const why = reasons.find((reason) => (kind === 'vm' ? /vsock|kvm|qemu|vhost/i : /lxc|cgroup/i).test(reason)) ?? reasons[0];
    if (kind === 'vm' && why && /vhost_vsock/.test(why)) {
      return `${client.describe()} cannot run virtual machines here: ${why}. Use a container workspace, or on a host whose kernel has it run \`sudo modprobe vhost_vsock\` and restart Incus.`;
    }
    if (kind === 'vm' && why && /kvm/i.test(why)) {
      return `${client.describe()} cannot run virtual machines here: ${why}. Enable hardware virtualisation (VT-x/AMD-V) or use a container workspace.`;
    }
    return `${client.describe()} cannot run ${what} here${why ? `: ${why}` : ' (its driver is not operational)'}. ${kind === 'vm' ? 'Use a container workspace instead.' : 'Check the incusd log.'}`;
  }
}

/**
 * Incus refuses an action on an instance while another operation runs on it ("Instance is busy running a
 * "create" operation"), e.g. one that a Tidepool killed a moment ago started: wait for that one, then act.
 * When that one was the same action, Incus waits for it and says so ("A matching non-reusable operation
 * has now succeeded"): the action is done.
 */
async function whenInstanceIdle(action: () => Promise<unknown>, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (;;) {
    try {
      await action();
      return;
    } catch (error) {
      const detail = error instanceof TidepoolError ? (error.detail ?? '') : '';
      if (/matching non-reusable operation has now succeeded/i.test(detail)) return;
      if (!/busy running an? /i.test(detail) || Date.now() >= deadline) throw error;
      await sleep(500, signal);
    }
  }
}

/** For removals: an instance that is already gone is what was wanted. */
/**
 * The instance is gone: refused up front (404), or it vanished while our operation ran — e.g. a delete that
 * a killed Tidepool had started finished meanwhile, and Incus fails our operation with "Instance not found".
 */
function unlessGone(error: unknown): void {
  if (!(error instanceof TidepoolError)) throw error;
  if (error.code === 'NOT_FOUND') return;
  if (error.code === 'RUNTIME_ERROR' && /\binstance not found\b/i.test(error.detail ?? '')) return;
  throw error;
}

/** Incus status codes (shared/api/status_code.go) in Tidepool's words. */
function statusOf(code: number, text: string): InstanceStatus {
  const states: Record<number, InstanceState> = { 103: 'running', 111: 'running', 102: 'stopped', 106: 'starting', 101: 'starting', 107: 'stopping', 110: 'suspended', 112: 'error' };
  const state = states[code];
  if (!state) return { state: 'error', detail: `Incus reports the instance as ${text} (${code}).` };
  return state === 'error' ? { state, detail: `Incus reports the instance as ${text}.` } : { state };
}

function ipv4Of(state: IncusInstanceState): string | null {
  const eth0 = state.network?.eth0;
  const address = eth0?.addresses.find((candidate) => candidate.family === 'inet' && candidate.scope === 'global');
  return address?.address ?? null;
}

/** fs.inotify.max_user_instances on this host, or null where it cannot be read. */
function readInotifyLimit(): number | null {
  try {
    const limit = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim());
    return Number.isFinite(limit) ? limit : null;
  } catch {
    return null;
  }
}

/**
 * All unprivileged containers share one inotify budget (their root is one host uid); a started
 * workspace holds about 8 instances, and one that boots when the budget is spent gets no address
 * (its networkd and udevd fail). Measured on Debian 12 with its default of 128: 12 of 20 failed.
 */
export function inotifyWarning(limit: number | null): string | null {
  if (limit === null || limit >= RECOMMENDED_INOTIFY_INSTANCES) return null;
  return (
    `This host allows ${limit} inotify instances for all containers together (fs.inotify.max_user_instances), ` +
    `enough for about ${Math.floor(limit / 8)} running workspaces: one more would start without a network address. ` +
    `Run \`${SETUP_COMMAND}\` to raise it to ${RECOMMENDED_INOTIFY_INSTANCES}.`
  );
}

/**
 * Whether this host offers Incus at all: a configured remote, or (Linux only) a local Incus socket. Whether
 * that socket really answers is inspect()'s job, which then shows the set-up step to fix it.
 */
export function incusOffered(platform: string, settings: Settings): boolean {
  if (settings.incus.remotes.length > 0) return true;
  if (platform !== 'linux') return false;
  try {
    return statSync(settings.incus.socketPath ?? DEFAULT_SOCKET_PATH).isSocket();
  } catch {
    return false;
  }
}
