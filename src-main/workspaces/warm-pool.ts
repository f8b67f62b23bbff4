/**
 * The opt-in warm pool (Settings.warmPool.size): K started, unclaimed instances of the current image on the
 * selected runtime, so that a new workspace takes one (claim + configure) instead of cloning and booting.
 * Instances are named `tp-warm-<hex>` and carry the runtime's warm mark, so reconcile and the orphan list
 * leave them alone; a claimed instance keeps its name (a running container cannot be renamed), which the
 * workspace records in `instanceName`. The pool fills one instance at a time in the background, and drains
 * when it is turned off, when the image or the default resources change, when host memory runs short, and
 * when the core shuts down. Only long-running hosts (the app, `tidepool serve`) keep a pool.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { toTidepoolError } from '../../src-shared/errors.js';
import type { InstanceKind, Resources, RuntimeId, Settings } from '../../src-shared/workspace.js';
import type { RuntimeRegistry } from '../runtimes/registry.js';
import type { OperationContext, Runtime } from '../runtimes/runtime.js';

export const WARM_PREFIX = 'tp-warm-';
const GiB = 1024 ** 3;
/** Below this much available host memory the pool lets its instances go. */
export const MEMORY_TO_KEEP = 1 * GiB;
/** A new warm instance is started only with at least this much available. */
export const MEMORY_TO_FILL = 2 * GiB;

/** What a new workspace needs; a warm instance is taken only when all of it matches. */
export interface WarmRequest {
  runtime: RuntimeId;
  image: string;
  kind: InstanceKind;
  resources: Resources;
}

interface WarmInstance extends WarmRequest {
  instanceName: string;
  /** The image as it was when the instance was made (a rebuilt image under the same ref is another image). */
  imageIdentity: string;
}

export interface WarmPoolStatus {
  size: number;
  ready: string[];
  filling: boolean;
  /** Why the pool is short, when it is. */
  problem: string | null;
}

export interface WarmPoolDeps {
  registry: RuntimeRegistry;
  settings(): Settings;
  sshPublicKey(): Promise<string>;
  /** Whether a workspace record uses this instance (a claim interrupted by a quit must not be drained). */
  inUse(instanceName: string): boolean;
  /** Bytes of memory the host can still hand out. */
  availableMemory?: () => number;
  log?: (line: string) => void;
  addressTimeoutMs?: number;
  /** How often the pool re-checks the image, the settings and the memory. */
  intervalMs?: number;
  /** After a failed fill, how long before the next attempt. */
  retryAfterMs?: number;
}

/** Linux's MemAvailable (free plus reclaimable cache); elsewhere the OS's free memory. */
export function availableHostMemory(): number {
  try {
    const line = readFileSync('/proc/meminfo', 'utf8').split('\n').find((entry) => entry.startsWith('MemAvailable:'));
    const kib = line ? Number(line.split(/\s+/)[1]) : Number.NaN;
    if (Number.isFinite(kib)) return kib * 1024;
  } catch {
    // Not Linux.
  }
  return freemem();
}

function sameRequest(a: WarmRequest, b: WarmRequest): boolean {
  return (
    a.runtime === b.runtime &&
    a.image === b.image &&
    a.kind === b.kind &&
    a.resources.cpus === b.resources.cpus &&
    a.resources.memoryMiB === b.resources.memoryMiB &&
    a.resources.diskGiB === b.resources.diskGiB
  );
}

export class WarmPool {
  private readonly ready: WarmInstance[] = [];
  /** Taken by a workspace whose record may not be saved yet: never drained. */
  private readonly claimed = new Set<string>();
  private kept = false;
  private lifetime = new AbortController();
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private filling = false;
  private problem: string | null = null;
  private retryAt = 0;
  /** The current image's identity, as of the last check. */
  private identity: string | null = null;
  private sweptWhileOff = false;

  constructor(private readonly deps: WarmPoolDeps) {}

  /** Keeps the pool filled from now on (long-running hosts only). */
  start(): void {
    if (this.kept) return;
    this.kept = true;
    this.lifetime = new AbortController();
    this.timer = setInterval(() => this.poke(), this.deps.intervalMs ?? 30_000);
    this.timer.unref();
    this.poke();
  }

  /** Stops filling and removes the unclaimed instances. */
  async stop(): Promise<void> {
    if (!this.kept) return;
    this.kept = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.lifetime.abort();
    await this.running;
    await this.drain(this.localRuntimes(), 'Tidepool is shutting down');
  }

  /**
   * Takes a ready instance for a new workspace, or null when none matches. Synchronous on purpose: the
   * caller saves the workspace record before anything else can run, so the instance is never seen unowned.
   */
  claim(request: WarmRequest): string | null {
    if (!this.kept) return null;
    const index = this.ready.findIndex((instance) => sameRequest(instance, request) && instance.imageIdentity === this.identity);
    if (index < 0) return null;
    const [taken] = this.ready.splice(index, 1);
    this.claimed.add(taken!.instanceName);
    this.poke();
    return taken!.instanceName;
  }

  status(): WarmPoolStatus {
    return {
      size: this.kept ? this.deps.settings().warmPool.size : 0,
      ready: this.ready.map((instance) => instance.instanceName),
      filling: this.filling,
      problem: this.problem,
    };
  }

  /** Re-checks soon (after a claim, a settings change, or on the timer); runs are never concurrent. */
  poke(): void {
    if (!this.kept) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.refill();
        } catch (error) {
          this.problem = toTidepoolError(error).message;
          this.deps.log?.(`could not refill: ${this.problem}`);
        }
      } while (this.again && this.kept);
    })().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when the current refill (if any) is done (tests, the bench). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async refill(): Promise<void> {
    const settings = this.deps.settings();
    const size = settings.warmPool.size;
    if (size <= 0) {
      this.problem = null;
      await this.drain(this.localRuntimes(), 'the warm pool was turned off');
      if (!this.sweptWhileOff) {
        // Once per start: what an earlier run left behind goes, without asking the runtime every time.
        this.sweptWhileOff = true;
        const runtime = await this.localChoice();
        if (runtime?.claimWarm) await this.removeLeftovers(runtime);
      }
      return;
    }
    this.sweptWhileOff = false;
    const chosen = await this.deps.registry.choose().catch(() => null);
    const remote = chosen?.location?.() ?? null;
    const runtime = await this.localChoice();
    if (!runtime?.claimWarm || remote) {
      this.problem = remote
        ? `New workspaces go to the Incus remote “${remote}”; the warm pool keeps instances on this computer only.`
        : runtime
          ? `${runtime.displayName} has no warm pool.`
          : 'No runtime is ready.';
      await this.drain(this.localRuntimes(), this.problem);
      return;
    }
    const wanted = await this.wantedNow(runtime, settings);
    await this.removeLeftovers(runtime);
    const stale = this.ready.filter((instance) => !sameRequest(instance, wanted) || instance.imageIdentity !== this.identity);
    await this.remove(runtime, stale, 'the image or the default resources changed');
    if ((this.deps.availableMemory ?? availableHostMemory)() < MEMORY_TO_KEEP) {
      this.problem = 'The host is short of memory.';
      await this.drain([runtime], this.problem);
      return;
    }
    const extra = this.ready.filter((instance) => instance.runtime === runtime.id).slice(size);
    await this.remove(runtime, extra, 'the pool is smaller now');
    while (this.kept && this.ready.length < size && Date.now() >= this.retryAt) {
      if ((this.deps.availableMemory ?? availableHostMemory)() < MEMORY_TO_FILL) {
        this.problem = 'The host is short of memory.';
        return;
      }
      await this.fillOne(runtime, wanted);
    }
    if (this.ready.length >= size) this.problem = null;
  }

  private async wantedNow(runtime: Runtime, settings: Settings): Promise<WarmRequest> {
    const image = runtime.defaultImage();
    const info = runtime.images ? (await runtime.images()).find((candidate) => candidate.ref === image) : undefined;
    this.identity = `${image}@${info?.createdAt ?? ''}`;
    const kinds = (await runtime.capabilities()).kinds;
    const kind = kinds[settings.defaultKind].available ? settings.defaultKind : 'container';
    return { runtime: runtime.id, image, kind, resources: settings.defaultResources };
  }

  /** Warm instances this pool does not know (left by an earlier run) go. */
  private async removeLeftovers(runtime: Runtime): Promise<void> {
    for (const name of this.claimed) if (this.deps.inUse(name)) this.claimed.delete(name);
    const known = new Set(this.ready.map((instance) => instance.instanceName));
    const leftovers = (await runtime.list()).filter(
      (instance) => instance.warm && !known.has(instance.instanceName) && !this.claimed.has(instance.instanceName) && !this.deps.inUse(instance.instanceName),
    );
    for (const instance of leftovers) {
      await runtime.delete(instance.instanceName, this.context()).catch((error: unknown) => this.deps.log?.(`could not remove ${instance.instanceName}: ${toTidepoolError(error).message}`));
    }
  }

  private async fillOne(runtime: Runtime, wanted: WarmRequest): Promise<void> {
    const instanceName = `${WARM_PREFIX}${randomBytes(3).toString('hex')}`;
    const ctx = this.context();
    this.filling = true;
    try {
      await runtime.create(
        {
          instanceName,
          workspaceId: '',
          workspaceName: instanceName,
          kind: wanted.kind,
          image: wanted.image,
          resources: wanted.resources,
          network: { mode: 'isolated' },
          sshPublicKey: await this.deps.sshPublicKey(),
          warm: true,
        },
        ctx,
      );
      await runtime.start(instanceName, ctx);
      const address = await runtime.getIp(instanceName, ctx, this.deps.addressTimeoutMs ?? 120_000);
      if (!address) throw new Error(`${instanceName} got no network address.`);
      // Isolated like any workspace while it waits.
      await runtime.configure?.(instanceName, { network: { mode: 'isolated' } }, ctx);
      this.ready.push({ ...wanted, instanceName, imageIdentity: this.identity ?? '' });
    } catch (error) {
      if (!this.lifetime.signal.aborted) {
        this.problem = `Could not start a warm instance: ${toTidepoolError(error).message}`;
        this.deps.log?.(this.problem);
        this.retryAt = Date.now() + (this.deps.retryAfterMs ?? 60_000);
      }
      await runtime.delete(instanceName, this.quietContext()).catch(() => undefined);
    } finally {
      this.filling = false;
    }
  }

  /** Warm instances live on this computer only, whichever Incus remote is active (see Runtime.at). */
  private localRuntimes(): Runtime[] {
    return this.deps.registry.all().map((runtime) => runtime.at?.(null) ?? runtime);
  }

  private async localChoice(): Promise<Runtime | null> {
    const runtime = await this.deps.registry.choose().catch(() => null);
    return runtime ? (runtime.at?.(null) ?? runtime) : null;
  }

  private async drain(runtimes: Runtime[], reason: string): Promise<void> {
    for (const runtime of runtimes) {
      await this.remove(runtime, this.ready.filter((instance) => instance.runtime === runtime.id), reason);
    }
  }

  private async remove(runtime: Runtime, instances: WarmInstance[], reason: string): Promise<void> {
    if (instances.length > 0 && this.problem === reason) this.deps.log?.(`removing ${instances.length} warm instance(s): ${reason}`);
    for (const instance of instances) {
      const index = this.ready.indexOf(instance);
      if (index >= 0) this.ready.splice(index, 1);
      await runtime.delete(instance.instanceName, this.quietContext()).catch((error: unknown) => this.deps.log?.(`could not remove ${instance.instanceName}: ${toTidepoolError(error).message}`));
    }
  }

  private context(): OperationContext {
    return { signal: this.lifetime.signal, progress: () => undefined, log: () => undefined };
  }

  /** For clean-up, which must finish even while the pool stops. */
  private quietContext(): OperationContext {
    return { signal: new AbortController().signal, progress: () => undefined, log: () => undefined };
  }
}
