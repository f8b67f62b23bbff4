/**
 * Orchestrates workspaces over a runtime and the guest layer: create (provision → boot → address →
 * configure → ready), start, stop, delete and open. One operation per workspace at a time; every failure
 * leaves a visible state with its cause; nothing the user made is dropped silently.
 */
import { randomUUID } from 'node:crypto';
import { TidepoolError, toTidepoolError } from '../../src-shared/errors.js';
import type { CreateWorkspaceInput } from '../../src-shared/schemas.js';
import {
  BUSY_STATES,
  canTransition,
  INSTANCE_KINDS,
  STEP_LABELS,
  type OperationKind,
  type OperationProgress,
  type OperationStep,
  type OrphanInstance,
  type RuntimeId,
  type Settings,
  type Workspace,
  type WorkspaceState,
} from '../../src-shared/workspace.js';
import type { EventBus } from '../api/event-bus.js';
import type { GuestAccess, GuestContext } from '../guest/guest-access.js';
import type { RuntimeRegistry } from '../runtimes/registry.js';
import type { InstanceSpec, OperationContext, Runtime } from '../runtimes/runtime.js';
import type { StateStore } from '../store/state-store.js';
import { throwIfAborted } from '../util/abort.js';
import type { WarmPool } from './warm-pool.js';
import type { WorkspaceLogs } from './workspace-log.js';

export interface WorkspaceServiceDeps {
  store: StateStore;
  registry: RuntimeRegistry;
  guestFor(runtime: RuntimeId): GuestAccess;
  events: EventBus;
  logs: WorkspaceLogs;
  sshPublicKey(): Promise<string>;
  settings(): Settings;
  now?: () => Date;
  addressTimeoutMs?: number;
  stopTimeoutMs?: number;
  /** How long each step may take before the operation fails with TIMEOUT (a hung runtime or guest). */
  stepDeadlinesMs?: Partial<Record<OperationStep, number>>;
  /** Started instances to take instead of creating one (warm-pool.ts). */
  warmPool?: Pick<WarmPool, 'claim'>;
}

interface RunningOperation {
  kind: OperationKind;
  controller: AbortController;
  done: Promise<void>;
  progress: OperationProgress;
}

const CREATE_STEPS: OperationStep[] = ['provision', 'boot', 'address', 'ssh', 'configure', 'ide'];
const START_STEPS: OperationStep[] = ['boot', 'address', 'ssh', 'configure', 'ide'];
const CANCELLABLE: readonly OperationKind[] = ['create', 'start', 'open'];

const STEP_DEADLINES_MS: Record<OperationStep, number> = {
  provision: 15 * 60_000,
  boot: 5 * 60_000,
  address: 5 * 60_000,
  ssh: 5 * 60_000,
  configure: 5 * 60_000,
  ide: 5 * 60_000,
  'clone-repo': 15 * 60_000,
  shutdown: 3 * 60_000,
  remove: 5 * 60_000,
};

/** Settles with the call, or rejects as soon as the operation is aborted (cancel or deadline), even if the call hangs on. */
function guard<T>(signal: AbortSignal, call: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function abortReason(signal: AbortSignal): TidepoolError {
  return signal.reason instanceof TidepoolError
    ? signal.reason
    : new TidepoolError({ code: 'CANCELLED', message: 'The operation was cancelled.' });
}

export const INSTANCE_PREFIX = 'tp-';

export class WorkspaceService {
  private readonly operations = new Map<string, RunningOperation>();
  /** Names claimed by creates still checking the runtime, so two concurrent creates cannot take one name. */
  private readonly claimedNames = new Set<string>();
  private readonly now: () => Date;

  constructor(private readonly deps: WorkspaceServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  list(): Workspace[] {
    return Object.values(this.records()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): Workspace {
    const workspace = this.records()[id];
    if (!workspace) {
      throw new TidepoolError({ code: 'NOT_FOUND', message: 'That workspace does not exist (it may have been deleted).' });
    }
    return workspace;
  }

  findByName(name: string): Workspace | undefined {
    return this.list().find((workspace) => workspace.name === name);
  }

  progress(): OperationProgress[] {
    return [...this.operations.values()].map((operation) => operation.progress);
  }

  /** Resolves when the workspace's current operation (if any) has finished. */
  async settled(id: string): Promise<void> {
    await this.operations.get(id)?.done;
  }

  async create(input: CreateWorkspaceInput): Promise<Workspace> {
    if (this.findByName(input.name) || this.claimedNames.has(input.name)) {
      throw new TidepoolError({
        code: 'ALREADY_EXISTS',
        message: `A workspace named “${input.name}” already exists.`,
        hint: 'Pick another name, or delete the existing workspace first.',
        fields: { name: 'This name is taken.' },
      });
    }
    this.claimedNames.add(input.name);
    try {
      return await this.createRecord(input);
    } finally {
      this.claimedNames.delete(input.name);
    }
  }

  private async createRecord(input: CreateWorkspaceInput): Promise<Workspace> {
    const settings = this.deps.settings();
    const chosen = await this.deps.registry.choose(input.runtime);
    // Bound to today's server: the workspace stays managed there if the active Incus remote changes later.
    const location = chosen.location?.() ?? null;
    const runtime = chosen.at ? chosen.at(location) : chosen;
    const capabilities = await runtime.capabilities();
    const fallback = INSTANCE_KINDS.find((candidate) => capabilities.kinds[candidate].available) ?? settings.defaultKind;
    const kind = input.kind ?? (capabilities.kinds[settings.defaultKind].available ? settings.defaultKind : fallback);
    const support = capabilities.kinds[kind];
    if (!support.available) {
      throw new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: `${runtime.displayName} cannot run ${kind === 'vm' ? 'virtual machines' : 'containers'} here.`,
        hint: support.reason,
        fields: { kind: support.reason ?? 'Not available.' },
      });
    }
    const image = input.image ?? runtime.defaultImage();
    if (runtime.images) {
      const images = await runtime.images();
      if (!images.some((candidate) => candidate.ref === image)) {
        throw new TidepoolError({
          code: 'IMAGE_MISSING',
          message: `The workspace image ${image} is not on ${runtime.displayName}${location ? ` (the server “${location}”)` : ''} yet.`,
          hint: location
            ? 'Tidepool bakes images on this computer only: on that server, run `sudo images/incus/bake.sh` from a Tidepool checkout.'
            : `Build it once with \`tidepool image build --runtime ${runtime.id}\` (or from the onboarding screen).`,
        });
      }
    }
    const id = randomUUID();
    const resources = input.resources ?? settings.defaultResources;
    // Taken synchronously and saved below before anything else runs, so the instance is never unowned.
    const warmInstance = runtime.claimWarm && location === null ? (this.deps.warmPool?.claim({ runtime: runtime.id, image, kind, resources }) ?? null) : null;
    const workspace = this.addRecord({
      id,
      name: input.name,
      runtime: runtime.id,
      kind,
      image,
      imageVersion: image.split(/[/:-]/).pop() ?? image,
      resources,
      network: input.network ?? { mode: 'isolated' },
      repoUrl: input.repoUrl ?? null,
      sshAgentForwarding: input.sshAgentForwarding ?? false,
      state: 'creating',
      instanceName: warmInstance ?? `${INSTANCE_PREFIX}${input.name}`,
      location,
    });
    this.run(workspace, 'create', CREATE_STEPS, (ctx) => (warmInstance ? this.claimFlow(workspace.id, runtime, ctx) : this.createFlow(workspace.id, runtime, ctx)));
    return workspace;
  }

  async start(id: string): Promise<Workspace> {
    const workspace = this.get(id);
    this.assertIdle(workspace);
    if (workspace.state === 'ready') return workspace;
    if (workspace.state !== 'stopped' && workspace.state !== 'error') this.invalidState(workspace, 'start');
    const runtime = this.deps.registry.forWorkspace(workspace);
    this.run(workspace, 'start', START_STEPS, (ctx) => this.startFlow(id, runtime, ctx));
    return this.get(id);
  }

  async stop(id: string, force = false): Promise<Workspace> {
    const workspace = this.get(id);
    this.assertIdle(workspace);
    if (workspace.state === 'stopped') return workspace;
    if (!canTransition(workspace.state, 'stopping')) this.invalidState(workspace, 'stop');
    const runtime = this.deps.registry.forWorkspace(workspace);
    this.run(workspace, 'stop', ['shutdown'], (ctx) => this.stopFlow(id, runtime, ctx, force));
    return this.get(id);
  }

  async delete(id: string, keepHome = false): Promise<void> {
    const workspace = this.get(id);
    this.assertIdle(workspace);
    const runtime = this.deps.registry.forWorkspace(workspace);
    const steps: OperationStep[] = workspace.state === 'stopped' ? ['remove'] : ['shutdown', 'remove'];
    this.run(workspace, 'delete', steps, (ctx) => this.deleteFlow(id, runtime, ctx, keepHome));
  }

  /** Starts the workspace if needed, waits until its IDE answers and returns the IDE's URL. */
  async open(id: string): Promise<{ workspace: Workspace; ideUrl: string }> {
    let workspace = this.get(id);
    const guest = this.deps.guestFor(workspace.runtime);
    const running = this.operations.get(id);
    if (running && (running.kind === 'create' || running.kind === 'start' || running.kind === 'open')) {
      await running.done;
    } else if (workspace.state === 'ready' && !guest.isAttached(id)) {
      // Ready in the runtime but not connected from this process (Tidepool was restarted): reattach.
      this.reattach(id);
      await this.settled(id);
    } else if (workspace.state !== 'ready') {
      await this.start(id);
      await this.settled(id);
    }
    workspace = this.get(id);
    if (workspace.state !== 'ready' || !guest.isAttached(id)) {
      throw new TidepoolError({
        code: 'INVALID_STATE',
        message: `“${workspace.name}” could not be opened: it is ${workspace.state}.`,
        hint: workspace.lastError?.hint ?? workspace.lastError?.message,
      });
    }
    workspace = this.update(id, { lastOpenedAt: this.now().toISOString() });
    return { workspace, ideUrl: guest.ideUrl(id) };
  }

  /** Connects this process to a workspace the runtime already runs: address, SSH, IDE tunnel. */
  reattach(id: string): void {
    const workspace = this.get(id);
    this.assertIdle(workspace);
    const runtime = this.deps.registry.forWorkspace(workspace);
    this.run(workspace, 'open', START_STEPS, (ctx) => this.startFlow(id, runtime, ctx));
  }

  cancel(id: string): void {
    const workspace = this.get(id);
    const operation = this.operations.get(id);
    if (!operation || !CANCELLABLE.includes(operation.kind)) {
      throw new TidepoolError({
        code: 'INVALID_STATE',
        message: operation
          ? `${capitalise(operation.kind)} of “${workspace.name}” cannot be cancelled; it finishes on its own.`
          : `Nothing is running on “${workspace.name}”.`,
      });
    }
    operation.controller.abort();
  }

  /** Makes the records agree with what the runtimes actually hold, and finishes interrupted operations. */
  async reconcile(): Promise<void> {
    // One listing per runtime and server (workspaces on several Incus remotes).
    const byServer = new Map<string, Workspace[]>();
    for (const workspace of this.list()) {
      if (this.operations.has(workspace.id)) continue;
      const key = serverKey(workspace.runtime, workspace.location ?? null);
      byServer.set(key, [...(byServer.get(key) ?? []), workspace]);
    }
    for (const workspaces of byServer.values()) {
      const runtime = this.deps.registry.findForWorkspace(workspaces[0]!);
      if (!runtime) continue;
      let instances;
      try {
        instances = await runtime.list();
      } catch (error) {
        const failure = toTidepoolError(error);
        for (const workspace of workspaces) {
          this.log(workspace.id, `could not check ${runtime.displayName}: ${failure.message}`, 'warn');
        }
        continue;
      }
      const present = new Map(instances.map((instance) => [instance.instanceName, instance]));
      for (const workspace of workspaces) {
        this.reconcileOne(workspace, runtime, present.get(workspace.instanceName)?.state ?? 'missing');
      }
    }
  }

  async orphans(): Promise<OrphanInstance[]> {
    const known = new Set(this.list().map((workspace) => `${serverKey(workspace.runtime, workspace.location ?? null)}/${workspace.instanceName}`));
    const found: OrphanInstance[] = [];
    for (const runtime of this.deps.registry.all()) {
      let instances;
      try {
        instances = await runtime.list();
      } catch {
        continue;
      }
      for (const instance of instances) {
        if (known.has(`${serverKey(runtime.id, runtime.location?.() ?? null)}/${instance.instanceName}`) || instance.warm) continue;
        found.push({
          runtime: runtime.id,
          instanceName: instance.instanceName,
          workspaceId: instance.workspaceId,
          name: instance.workspaceName,
          running: instance.state === 'running',
        });
      }
    }
    return found;
  }

  async adoptOrphan(runtimeId: RuntimeId, instanceName: string): Promise<Workspace> {
    const orphan = (await this.orphans()).find((o) => o.runtime === runtimeId && o.instanceName === instanceName);
    if (!orphan) throw new TidepoolError({ code: 'NOT_FOUND', message: `No unclaimed instance named ${instanceName}.` });
    const name = orphan.name ?? instanceName.replace(new RegExp(`^${INSTANCE_PREFIX}`), '');
    if (this.findByName(name)) {
      throw new TidepoolError({ code: 'ALREADY_EXISTS', message: `A workspace named “${name}” already exists.` });
    }
    const runtime = this.deps.registry.get(runtimeId);
    const location = runtime.location?.() ?? null;
    const settings = this.deps.settings();
    const workspace = this.addRecord({
      id: orphan.workspaceId && !this.records()[orphan.workspaceId] ? orphan.workspaceId : randomUUID(),
      name,
      runtime: runtimeId,
      kind: 'container',
      image: runtime.defaultImage(),
      imageVersion: 'unknown',
      resources: settings.defaultResources,
      network: { mode: 'isolated' },
      repoUrl: null,
      sshAgentForwarding: false,
      state: 'stopped',
      instanceName,
      location,
    });
    if (orphan.running) await this.start(workspace.id);
    return this.get(workspace.id);
  }

  async removeOrphan(runtimeId: RuntimeId, instanceName: string): Promise<void> {
    const orphan = (await this.orphans()).find((o) => o.runtime === runtimeId && o.instanceName === instanceName);
    if (!orphan) throw new TidepoolError({ code: 'NOT_FOUND', message: `No unclaimed instance named ${instanceName}.` });
    const runtime = this.deps.registry.get(runtimeId);
    const ctx = this.plainContext(null);
    if (orphan.running) await runtime.stop(instanceName, ctx, { force: true });
    await runtime.delete(instanceName, ctx);
  }

  updateNetworkAllowList(id: string, allow: string[]): Workspace {
    const workspace = this.get(id);
    this.assertIdle(workspace);
    return this.update(id, { network: allow.length === 0 ? { mode: 'isolated' } : { mode: 'allow-list', allow } });
  }

  isBusy(id: string): boolean {
    return this.operations.has(id);
  }

  /** A line in the workspace's Logs tab from outside an operation (health checks). */
  note(id: string, text: string, level: 'info' | 'warn' | 'error' = 'info'): void {
    this.log(id, text, level);
  }

  /** The runtime reports a ready workspace's instance as no longer running: show it, with the cause. */
  async markDied(id: string, observed: string): Promise<void> {
    // Deleted while the health check was asking the runtime: nothing to mark.
    const workspace = this.records()[id];
    if (!workspace || workspace.state !== 'ready' || this.operations.has(id)) return;
    await this.deps.guestFor(workspace.runtime).detach(id).catch(() => undefined);
    const gone = observed === 'missing';
    this.log(id, `the instance is ${observed} although the workspace was ready`, 'error');
    this.forceState(id, gone ? 'error' : 'stopped', {
      code: gone ? 'NOT_FOUND' : 'RUNTIME_ERROR',
      message: gone
        ? `The instance ${workspace.instanceName} disappeared while the workspace was running.`
        : `“${workspace.name}” stopped unexpectedly (the runtime reports it ${observed}).`,
      hint: gone ? 'Delete this workspace; its files went with the instance.' : 'Start it again; the Logs tab shows the last output before it stopped.',
      at: this.now().toISOString(),
    });
    this.update(id, { address: null });
  }

  /** Waits for every running operation (used on quit and in tests). */
  async drain(): Promise<void> {
    await Promise.all([...this.operations.values()].map((operation) => operation.done));
  }

  /** Records a workspace new to Tidepool (created or adopted) and tells every client. */
  private addRecord(
    fields: Omit<Workspace, 'address' | 'idePort' | 'createdAt' | 'lastOpenedAt' | 'lastError' | 'location'> & { location: string | null },
  ): Workspace {
    const { location, ...rest } = fields;
    const workspace: Workspace = {
      ...rest,
      address: null,
      idePort: null,
      createdAt: this.now().toISOString(),
      lastOpenedAt: null,
      lastError: null,
      ...(location ? { location } : {}),
    };
    this.saveRecord(workspace);
    this.deps.events.emit('workspaceChanged', workspace);
    return workspace;
  }

  // ---- flows -------------------------------------------------------------------------------------

  private async createFlow(id: string, runtime: Runtime, ctx: GuestContext): Promise<void> {
    ctx.step('provision');
    await guard(ctx.signal, runtime.create(await this.instanceSpec(this.get(id)), ctx));
    throwIfAborted(ctx.signal);
    this.transition(id, 'starting');
    await this.bootAndAttach(id, runtime, ctx);
  }

  /** Create from the warm pool: the instance already runs; it becomes this workspace's, then attach. */
  private async claimFlow(id: string, runtime: Runtime, ctx: GuestContext): Promise<void> {
    const workspace = this.get(id);
    ctx.step('provision');
    ctx.progress('Taking a started instance from the warm pool');
    try {
      await guard(ctx.signal, runtime.claimWarm!(workspace.instanceName, await this.instanceSpec(workspace), ctx));
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      // An unusable warm instance (stopped, gone) is dropped, and the workspace is created the usual way.
      this.log(id, `the warm instance ${workspace.instanceName} could not be used (${toTidepoolError(error).message}); creating a new instance`, 'warn');
      await runtime.delete(workspace.instanceName, ctx).catch(() => undefined);
      this.update(id, { instanceName: `${INSTANCE_PREFIX}${workspace.name}` });
      await this.createFlow(id, runtime, ctx);
      return;
    }
    throwIfAborted(ctx.signal);
    this.transition(id, 'starting');
    await this.bootAndAttach(id, runtime, ctx, true);
  }

  private async instanceSpec(workspace: Workspace): Promise<InstanceSpec> {
    return {
      instanceName: workspace.instanceName,
      workspaceId: workspace.id,
      workspaceName: workspace.name,
      kind: workspace.kind,
      image: workspace.image,
      resources: workspace.resources,
      network: workspace.network,
      sshPublicKey: await this.deps.sshPublicKey(),
    };
  }

  private async startFlow(id: string, runtime: Runtime, ctx: GuestContext): Promise<void> {
    const workspace = this.get(id);
    const status = await guard(ctx.signal, runtime.status(workspace.instanceName));
    if (status.state === 'missing') {
      throw new TidepoolError({
        code: 'NOT_FOUND',
        message: `The ${runtime.displayName} instance ${workspace.instanceName} is gone; it was deleted outside Tidepool.`,
        hint: 'Delete this workspace and create a new one.',
      });
    }
    this.transition(id, workspace.state === 'ready' ? 'configuring' : 'starting');
    await this.bootAndAttach(id, runtime, ctx, status.state === 'running');
  }

  private async bootAndAttach(id: string, runtime: Runtime, ctx: GuestContext, alreadyRunning = false): Promise<void> {
    const workspace = this.get(id);
    ctx.step('boot');
    if (!alreadyRunning) await guard(ctx.signal, runtime.start(workspace.instanceName, ctx));
    throwIfAborted(ctx.signal);
    ctx.step('address');
    const timeoutMs = this.deps.addressTimeoutMs ?? 120_000;
    const address = await guard(ctx.signal, runtime.getIp(workspace.instanceName, ctx, timeoutMs));
    if (!address) {
      throw new TidepoolError({
        code: 'TIMEOUT',
        message: `“${workspace.name}” started but got no network address within ${Math.round(timeoutMs / 1000)} s.`,
        hint: 'Open the Logs tab to see how far the boot got, then stop and start the workspace.',
      });
    }
    this.update(id, { address });
    this.transition(id, 'configuring');
    if (runtime.configure) await guard(ctx.signal, runtime.configure(workspace.instanceName, { network: workspace.network }, ctx));
    const guest = this.deps.guestFor(workspace.runtime);
    const attached = await guard(ctx.signal, guest.attach(
      {
        workspaceId: id,
        name: workspace.name,
        address,
        preferredIdePort: workspace.idePort,
        sshAgentForwarding: workspace.sshAgentForwarding,
        repoUrl: workspace.repoUrl,
        sshStream: runtime.sshStream?.(workspace.instanceName) ?? null,
      },
      ctx,
    ));
    throwIfAborted(ctx.signal);
    this.update(id, { idePort: attached.idePort, lastError: null });
    this.transition(id, 'ready');
  }

  private async stopFlow(id: string, runtime: Runtime, ctx: GuestContext, force: boolean): Promise<void> {
    const workspace = this.get(id);
    this.transition(id, 'stopping');
    ctx.step('shutdown');
    await this.deps.guestFor(workspace.runtime).detach(id);
    const status = await guard(ctx.signal, runtime.status(workspace.instanceName));
    if (status.state !== 'stopped' && status.state !== 'missing') {
      await guard(ctx.signal, runtime.stop(workspace.instanceName, ctx, { force, timeoutMs: this.deps.stopTimeoutMs ?? 30_000 }));
    }
    this.update(id, { address: null });
    this.transition(id, 'stopped');
  }

  private async deleteFlow(id: string, runtime: Runtime, ctx: GuestContext, keepHome: boolean): Promise<void> {
    // Kept on the record so a delete cut short by a crash is finished the same way after a restart.
    const workspace = this.update(id, { pendingDelete: { keepHome } });
    const guest = this.deps.guestFor(workspace.runtime);
    await guest.detach(id);
    const status = await guard(ctx.signal, runtime.status(workspace.instanceName));
    if (status.state === 'running' || status.state === 'starting' || status.state === 'suspended') {
      if (workspace.state !== 'stopping') this.forceState(id, 'stopping');
      ctx.step('shutdown');
      await guard(ctx.signal, runtime.stop(workspace.instanceName, ctx, { timeoutMs: this.deps.stopTimeoutMs ?? 30_000 }));
    }
    this.forceState(id, 'deleting');
    ctx.step('remove');
    // Also when the instance is already gone: what outlives it (the home folder) goes too, unless kept.
    await guard(ctx.signal, runtime.delete(workspace.instanceName, ctx, { keepHome }));
    await guest.forget(id, workspace.name);
    this.removeRecord(id);
  }

  private reconcileOne(workspace: Workspace, runtime: Runtime, observed: string): void {
    const id = workspace.id;
    const gone = observed === 'missing';
    if (workspace.state === 'deleting' || (workspace.state === 'stopping' && workspace.pendingDelete)) {
      // Interrupted delete: finish it as it was asked for (keeping the home folder or not).
      const keepHome = workspace.pendingDelete?.keepHome ?? false;
      this.run(workspace, 'delete', ['remove'], (ctx) => this.deleteFlow(id, runtime, ctx, keepHome));
      return;
    }
    switch (workspace.state) {
      case 'stopping':
        if (gone) break;
        // Interrupted stop: finish it (the runtime may still be shutting the instance down on its own).
        this.log(id, 'a stop was interrupted when Tidepool stopped; finishing it');
        this.run(workspace, 'stop', ['shutdown'], (ctx) => this.stopFlow(id, runtime, ctx, false));
        return;
      case 'creating':
        if (gone) {
          // Interrupted before the instance existed: run the create again from the start.
          this.log(id, 'creation was interrupted when Tidepool stopped; starting it again');
          this.run(workspace, 'create', CREATE_STEPS, (ctx) => this.createFlow(id, runtime, ctx));
        } else {
          // The instance may be half made (cut off before its SSH key was placed): make it again. It never
          // became ready, so nothing of the user's is in it; a home folder kept from before stays.
          this.log(id, 'creation was interrupted when Tidepool stopped; making the instance again');
          this.run(workspace, 'create', CREATE_STEPS, async (ctx) => {
            await guard(ctx.signal, runtime.delete(workspace.instanceName, ctx, { keepHome: true }));
            this.update(id, { instanceName: `${INSTANCE_PREFIX}${workspace.name}` });
            await this.createFlow(id, runtime, ctx);
          });
        }
        return;
      default:
        break;
    }
    if (gone) {
      if (workspace.state === 'error' && workspace.lastError?.code === 'NOT_FOUND') return;
      this.forceState(id, 'error', {
        code: 'NOT_FOUND',
        message: `The ${runtime.displayName} instance ${workspace.instanceName} was deleted outside Tidepool.`,
        hint: 'Delete this workspace from the list; its files went with the instance.',
        at: this.now().toISOString(),
      });
      this.update(id, { address: null });
      return;
    }
    if (observed === 'running') {
      if (workspace.state !== 'error') {
        // Running (left running at quit, or started outside Tidepool): reattach.
        this.forceState(id, 'stopped');
        this.run(this.get(id), 'start', START_STEPS, (ctx) => this.startFlow(id, runtime, ctx));
      }
      return;
    }
    if (observed === 'stopped' && workspace.state !== 'stopped' && workspace.state !== 'error') {
      this.forceState(id, 'stopped');
      this.update(id, { address: null });
    }
  }

  // ---- operation plumbing ------------------------------------------------------------------------

  private run(
    workspace: Workspace,
    kind: OperationKind,
    steps: OperationStep[],
    flow: (ctx: GuestContext) => Promise<void>,
  ): void {
    const controller = new AbortController();
    const startedAt = this.now().toISOString();
    const progress: OperationProgress = {
      workspaceId: workspace.id,
      operation: kind,
      step: steps[0] ?? 'provision',
      steps,
      message: '',
      startedAt,
      stepStartedAt: startedAt,
      done: false,
      failed: false,
    };
    const emitProgress = (patch: Partial<OperationProgress>): void => {
      Object.assign(progress, patch);
      this.deps.events.emit('progress', { ...progress, steps: [...progress.steps] });
    };
    const deadlines = { ...STEP_DEADLINES_MS, ...this.deps.stepDeadlinesMs };
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const armDeadline = (step: OperationStep): void => {
      clearTimeout(deadline);
      const ms = deadlines[step];
      deadline = setTimeout(() => {
        controller.abort(
          new TidepoolError({
            code: 'TIMEOUT',
            message: `${STEP_LABELS[step]} did not finish within ${formatDuration(ms)}.`,
            hint: 'Open the Logs tab to see where it stopped; the runtime may be stuck.',
          }),
        );
      }, ms);
    };
    const ctx: GuestContext = {
      signal: controller.signal,
      step: (step) => {
        armDeadline(step);
        if (!progress.steps.includes(step)) progress.steps.push(step);
        emitProgress({ step, message: '', stepStartedAt: this.now().toISOString() });
        this.log(workspace.id, `${kind}: ${step}`);
      },
      progress: (message) => emitProgress({ message }),
      log: (line, level = 'info') => this.log(workspace.id, line, level, 'runtime'),
    };
    const operation: RunningOperation = { kind, controller, progress, done: Promise.resolve() };
    this.operations.set(workspace.id, operation);
    emitProgress({});
    armDeadline(progress.step);
    operation.done = (async () => {
      try {
        await flow(ctx);
        emitProgress({ done: true });
      } catch (error) {
        const reason: unknown = controller.signal.reason;
        const timedOut = reason instanceof TidepoolError && reason.code === 'TIMEOUT';
        await this.onFailure(workspace.id, kind, progress.step, timedOut ? reason : error, controller.signal.aborted && !timedOut);
        emitProgress({ done: true, failed: true });
      } finally {
        clearTimeout(deadline);
        this.operations.delete(workspace.id);
      }
    })();
  }

  private async onFailure(id: string, kind: OperationKind, step: OperationStep, error: unknown, aborted: boolean): Promise<void> {
    const failure = aborted ? new TidepoolError({ code: 'CANCELLED', message: 'Cancelled.' }) : toTidepoolError(error);
    const workspace = this.records()[id];
    if (!workspace) return;
    this.log(id, `${kind} failed at ${step}: ${failure.message}${failure.detail ? ` (${failure.detail})` : ''}`, 'error');
    if (aborted && kind === 'create') {
      await this.rollBackCreate(workspace);
      return;
    }
    if (aborted) {
      // A cancelled start leaves the workspace stopped, not half-running.
      await this.stopQuietly(workspace);
      this.forceState(id, 'stopped');
      this.update(id, { address: null });
      return;
    }
    await this.deps.guestFor(workspace.runtime).detach(id).catch(() => undefined);
    // A failed delete is over: it must not be resumed later (the user decides again).
    if (kind === 'delete') this.update(id, { pendingDelete: undefined });
    this.forceState(id, 'error', {
      code: failure.code,
      message: failure.message,
      ...(failure.hint !== undefined ? { hint: failure.hint } : {}),
      ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
      step,
      at: this.now().toISOString(),
    });
  }

  /** Undo a cancelled create: remove whatever the runtime made, then the record. */
  private async rollBackCreate(workspace: Workspace): Promise<void> {
    const runtime = this.deps.registry.findForWorkspace(workspace);
    this.forceState(workspace.id, 'deleting');
    try {
      await this.deps.guestFor(workspace.runtime).detach(workspace.id);
      if (runtime) {
        const ctx = this.plainContext(workspace.id);
        const status = await runtime.status(workspace.instanceName);
        if (status.state === 'running') await runtime.stop(workspace.instanceName, ctx, { force: true });
        if (status.state !== 'missing') await runtime.delete(workspace.instanceName, ctx);
      }
      await this.deps.guestFor(workspace.runtime).forget(workspace.id, workspace.name);
      this.removeRecord(workspace.id);
    } catch (error) {
      const failure = toTidepoolError(error);
      this.forceState(workspace.id, 'error', {
        code: failure.code,
        message: `Creation was cancelled, but cleaning up failed: ${failure.message}`,
        hint: 'Delete the workspace to try the clean-up again.',
        ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
        at: this.now().toISOString(),
      });
    }
  }

  private async stopQuietly(workspace: Workspace): Promise<void> {
    const runtime = this.deps.registry.findForWorkspace(workspace);
    await this.deps.guestFor(workspace.runtime).detach(workspace.id).catch(() => undefined);
    if (!runtime) return;
    try {
      const status = await runtime.status(workspace.instanceName);
      if (status.state === 'running') await runtime.stop(workspace.instanceName, this.plainContext(workspace.id), { force: true });
    } catch (error) {
      this.log(workspace.id, `could not stop after cancel: ${toTidepoolError(error).message}`, 'warn');
    }
  }

  private plainContext(workspaceId: string | null): OperationContext {
    return {
      signal: new AbortController().signal,
      progress: () => undefined,
      log: (line, level = 'info') => {
        if (workspaceId) this.log(workspaceId, line, level, 'runtime');
      },
    };
  }

  private assertIdle(workspace: Workspace): void {
    const running = this.operations.get(workspace.id);
    if (running || BUSY_STATES.includes(workspace.state)) {
      const doing = running?.kind ?? workspace.state;
      throw new TidepoolError({
        code: 'BUSY',
        message: `“${workspace.name}” is busy (${doing}). Wait for it to finish${running && CANCELLABLE.includes(running.kind) ? ' or cancel it' : ''}.`,
      });
    }
  }

  private invalidState(workspace: Workspace, action: string): never {
    throw new TidepoolError({
      code: 'INVALID_STATE',
      message: `“${workspace.name}” cannot ${action} while it is ${workspace.state}.`,
    });
  }

  private transition(id: string, to: WorkspaceState): void {
    const workspace = this.get(id);
    if (workspace.state === to) return;
    if (!canTransition(workspace.state, to)) {
      throw new TidepoolError({
        code: 'INTERNAL',
        message: `Tidepool tried an illegal state change (${workspace.state} → ${to}).`,
      });
    }
    this.update(id, { state: to });
  }

  /** State changes made by recovery paths, which may skip the user-facing transitions. */
  private forceState(id: string, state: WorkspaceState, lastError?: Workspace['lastError']): void {
    this.update(id, lastError === undefined ? { state } : { state, lastError });
  }

  private update(id: string, patch: Partial<Workspace>): Workspace {
    const next = { ...this.get(id), ...patch };
    this.saveRecord(next);
    this.deps.events.emit('workspaceChanged', next);
    return next;
  }

  private records(): Record<string, Workspace> {
    return this.deps.store.get('workspaces') ?? {};
  }

  private saveRecord(workspace: Workspace): void {
    this.deps.store.set('workspaces', { ...this.records(), [workspace.id]: workspace });
  }

  private removeRecord(id: string): void {
    const records = this.records();
    delete records[id];
    this.deps.store.set('workspaces', records);
    this.deps.logs.remove(id);
    this.deps.events.emit('workspaceRemoved', { id });
  }

  private log(workspaceId: string, text: string, level: 'info' | 'warn' | 'error' = 'info', source: 'tidepool' | 'runtime' = 'tidepool'): void {
    this.deps.logs.add({ workspaceId, at: this.now().toISOString(), source, level, text });
  }
}

function formatDuration(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function serverKey(runtime: RuntimeId, location: string | null): string {
  return `${runtime}@${location ?? ''}`;
}
