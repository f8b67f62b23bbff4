/**
 * A stand-in runtime for development and tests, named and labelled as such everywhere. It keeps instances
 * in memory (optionally in a JSON file), takes realistic time, and fails on request. It is never
 * auto-selected: it is used only when asked for.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { TidepoolError, type ErrorCode } from '../../../src-shared/errors.js';
import type { ImageInfo, RuntimeCapabilities, RuntimeInfo } from '../../../src-shared/workspace.js';
import { sleep } from '../../util/abort.js';
import type {
  InstanceSpec,
  InstanceState,
  InstanceStatus,
  InstanceSummary,
  OperationContext,
  Runtime,
  StopOptions,
} from '../runtime.js';

export type SimulatedOperation = 'create' | 'start' | 'stop' | 'delete' | 'getIp' | 'status' | 'list' | 'claimWarm';

export type SimulatedFailure =
  | { kind: 'error'; code?: ErrorCode; message: string; hint?: string; detail?: string }
  /** Never answers until cancelled; with ignoreCancel, not even then (a wedged runtime). */
  | { kind: 'hang'; ignoreCancel?: boolean }
  /** Answers with no address (getIp). */
  | { kind: 'no-address' };

interface SimulatedInstance {
  spec: InstanceSpec;
  state: InstanceState;
  address: string | null;
}

export interface SimulatedOptions {
  /** Milliseconds per operation; defaults feel like a fast real runtime. */
  delays?: Partial<Record<SimulatedOperation, number>>;
  /** Keep instances across restarts (the dev server and the CLI use this). */
  stateFile?: string;
}

const DEFAULT_DELAYS: Record<SimulatedOperation, number> = {
  create: 700,
  start: 900,
  stop: 500,
  delete: 300,
  getIp: 300,
  status: 0,
  list: 0,
  claimWarm: 50,
};

export const SIMULATED_IMAGE = 'tidepool/simulated';

export class SimulatedRuntime implements Runtime {
  readonly id = 'simulated' as const;
  readonly displayName = 'Simulated (for development)';
  private readonly instances = new Map<string, SimulatedInstance>();
  private readonly failures = new Map<SimulatedOperation, { failure: SimulatedFailure; times: number }>();
  private readonly delays: Record<SimulatedOperation, number>;
  private nextHost = 10;
  /** Every call, in order, so tests can assert what the service asked for. */
  readonly calls: { op: SimulatedOperation; instanceName?: string }[] = [];

  constructor(private readonly options: SimulatedOptions = {}) {
    this.delays = { ...DEFAULT_DELAYS, ...options.delays };
    this.load();
  }

  /** Makes the next `times` calls of `op` fail the given way. */
  inject(op: SimulatedOperation, failure: SimulatedFailure, times = 1): void {
    this.failures.set(op, { failure, times });
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /** Changes an instance behind Tidepool's back, as a user with the runtime's own tools would. */
  tamper(instanceName: string, change: 'delete' | 'stop' | 'start'): void {
    const instance = this.instances.get(instanceName);
    if (!instance) return;
    if (change === 'delete') this.instances.delete(instanceName);
    else if (change === 'stop') Object.assign(instance, { state: 'stopped', address: null });
    else Object.assign(instance, { state: 'running', address: this.allocateAddress() });
    this.save();
  }

  /** Adds an instance carrying Tidepool's marks that no workspace record knows (for adoption tests). */
  plant(spec: InstanceSpec, state: InstanceState = 'stopped'): void {
    this.instances.set(spec.instanceName, { spec, state, address: state === 'running' ? this.allocateAddress() : null });
    this.save();
  }

  has(instanceName: string): boolean {
    return this.instances.has(instanceName);
  }

  async inspect(): Promise<RuntimeInfo> {
    return {
      id: this.id,
      displayName: this.displayName,
      available: true,
      simulated: true,
      version: 'simulated',
      capabilities: await this.capabilities(),
      setup: [],
      warnings: ['Workspaces on the simulated runtime are not real: there is no VM, no IDE and no isolation.'],
    };
  }

  async capabilities(): Promise<RuntimeCapabilities> {
    return {
      kinds: {
        container: { available: true },
        vm: { available: true },
      },
      suspend: false,
      snapshots: false,
      stats: false,
      networkAllowList: true,
      separateHome: false,
    };
  }

  defaultImage(): string {
    return SIMULATED_IMAGE;
  }

  async images(): Promise<ImageInfo[]> {
    return [{ runtime: 'simulated', ref: SIMULATED_IMAGE, version: 'simulated', current: true, sizeBytes: null, createdAt: null }];
  }

  async create(spec: InstanceSpec, ctx: OperationContext): Promise<void> {
    await this.step('create', spec.instanceName, ctx);
    if (this.instances.has(spec.instanceName)) {
      throw new TidepoolError({ code: 'ALREADY_EXISTS', message: `An instance named ${spec.instanceName} already exists.` });
    }
    ctx.log(`simulated: cloned ${spec.image} to ${spec.instanceName}`);
    this.instances.set(spec.instanceName, { spec, state: 'stopped', address: null });
    this.save();
  }

  async start(instanceName: string, ctx: OperationContext): Promise<void> {
    await this.step('start', instanceName, ctx);
    const instance = this.require(instanceName);
    if (instance.state !== 'running') {
      instance.state = 'running';
      instance.address = null;
    }
    this.save();
  }

  async stop(instanceName: string, ctx: OperationContext, _options?: StopOptions): Promise<void> {
    await this.step('stop', instanceName, ctx);
    const instance = this.require(instanceName);
    instance.state = 'stopped';
    instance.address = null;
    this.save();
  }

  async delete(instanceName: string, ctx: OperationContext): Promise<void> {
    await this.step('delete', instanceName, ctx);
    this.instances.delete(instanceName);
    this.save();
  }

  async status(instanceName: string): Promise<InstanceStatus> {
    this.calls.push({ op: 'status', instanceName });
    await this.failIfInjected('status', undefined);
    const instance = this.instances.get(instanceName);
    return { state: instance ? instance.state : 'missing' };
  }

  async getIp(instanceName: string, ctx: OperationContext): Promise<string | null> {
    this.calls.push({ op: 'getIp', instanceName });
    const injected = this.takeFailure('getIp');
    if (injected?.kind === 'no-address') return null;
    if (injected) await this.fail(injected, ctx.signal);
    await sleep(this.delays.getIp, ctx.signal);
    const instance = this.require(instanceName);
    if (instance.state !== 'running') return null;
    instance.address ??= this.allocateAddress();
    this.save();
    return instance.address;
  }

  async list(): Promise<InstanceSummary[]> {
    this.calls.push({ op: 'list' });
    await this.failIfInjected('list', undefined);
    return [...this.instances.values()].map((instance) => ({
      instanceName: instance.spec.instanceName,
      state: instance.state,
      workspaceId: instance.spec.workspaceId,
      workspaceName: instance.spec.workspaceName,
      ...(instance.spec.warm ? { warm: true } : {}),
    }));
  }

  async claimWarm(instanceName: string, spec: InstanceSpec, ctx: OperationContext): Promise<void> {
    await this.step('claimWarm', instanceName, ctx);
    const instance = this.require(instanceName);
    if (instance.state !== 'running') {
      throw new TidepoolError({ code: 'INVALID_STATE', message: `The warm instance ${instanceName} is not running.` });
    }
    instance.spec = { ...spec, instanceName, warm: false };
    this.save();
  }

  private async step(op: SimulatedOperation, instanceName: string, ctx: OperationContext): Promise<void> {
    this.calls.push({ op, instanceName });
    await this.failIfInjected(op, ctx.signal);
    await sleep(this.delays[op], ctx.signal);
  }

  private takeFailure(op: SimulatedOperation): SimulatedFailure | undefined {
    const entry = this.failures.get(op);
    if (!entry) return undefined;
    entry.times -= 1;
    if (entry.times <= 0) this.failures.delete(op);
    return entry.failure;
  }

  private async failIfInjected(op: SimulatedOperation, signal: AbortSignal | undefined): Promise<void> {
    const failure = this.takeFailure(op);
    if (failure) await this.fail(failure, signal);
  }

  private async fail(failure: SimulatedFailure, signal: AbortSignal | undefined): Promise<void> {
    if (failure.kind === 'hang') {
      await sleep(2 ** 31 - 1, failure.ignoreCancel ? undefined : signal);
      return;
    }
    if (failure.kind === 'error') {
      throw new TidepoolError({
        code: failure.code ?? 'RUNTIME_ERROR',
        message: failure.message,
        ...(failure.hint !== undefined ? { hint: failure.hint } : {}),
        ...(failure.detail !== undefined ? { detail: failure.detail } : {}),
      });
    }
  }

  private require(instanceName: string): SimulatedInstance {
    const instance = this.instances.get(instanceName);
    if (!instance) {
      throw new TidepoolError({ code: 'NOT_FOUND', message: `The instance ${instanceName} does not exist.` });
    }
    return instance;
  }

  private allocateAddress(): string {
    this.nextHost = this.nextHost >= 250 ? 10 : this.nextHost + 1;
    return `10.77.0.${this.nextHost}`;
  }

  private load(): void {
    const file = this.options.stateFile;
    if (!file || !existsSync(file)) return;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as SimulatedInstance[];
      for (const instance of saved) this.instances.set(instance.spec.instanceName, instance);
    } catch {
      // A broken simulation file only loses simulated instances; start empty.
    }
  }

  private save(): void {
    if (this.options.stateFile) writeFileSync(this.options.stateFile, JSON.stringify([...this.instances.values()]));
  }
}
