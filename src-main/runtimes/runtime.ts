/**
 * The one interface every runtime implements (Tart, Incus, the simulated double). The workspace service
 * drives workspaces only through it; nothing outside `runtimes/<name>` knows how a runtime works.
 */
import type { Duplex } from 'node:stream';
import type {
  ImageInfo,
  InstanceKind,
  InstanceStats,
  NetworkPolicy,
  Resources,
  RuntimeCapabilities,
  RuntimeId,
  RuntimeInfo,
} from '../../src-shared/workspace.js';

/** Handed to every slow call: cancellation, progress and log lines for the user. */
export interface OperationContext {
  signal: AbortSignal;
  /** A short present-tense line for the progress view ("Pulling image 37%"). */
  progress(message: string): void;
  /** A line for the workspace's Logs tab. */
  log(line: string, level?: 'info' | 'warn' | 'error'): void;
}

export interface InstanceSpec {
  instanceName: string;
  workspaceId: string;
  workspaceName: string;
  kind: InstanceKind;
  /** Image reference in the runtime's terms (Incus alias, Tart VM name). */
  image: string;
  resources: Resources;
  network: NetworkPolicy;
  /** OpenSSH public key line to authorise for the guest's `dev` user. */
  sshPublicKey: string;
  /** A started, unclaimed instance kept by the warm pool (marked so reconcile and orphans leave it alone). */
  warm?: boolean;
}

export type InstanceState = 'running' | 'stopped' | 'starting' | 'stopping' | 'suspended' | 'missing' | 'error';

export interface InstanceStatus {
  state: InstanceState;
  /** The runtime's own words when state is `error`. */
  detail?: string;
}

/** An instance as the runtime lists it, with the Tidepool marks it carries (for reconcile). */
export interface InstanceSummary {
  instanceName: string;
  state: InstanceState;
  /** Set when the instance carries Tidepool's metadata. */
  workspaceId: string | null;
  workspaceName: string | null;
  /** Kept by the warm pool, not (yet) any workspace's. */
  warm?: boolean;
}

export interface StopOptions {
  /** Skip the graceful shutdown. */
  force?: boolean;
  /** How long the guest gets to shut down before it is powered off. */
  timeoutMs?: number;
}

export interface DeleteOptions {
  /** Keep the workspace's home volume (runtimes with `separateHome`). */
  keepHome?: boolean;
}

/** Workspace settings applied after boot (guest-side configuration, network policy changes). */
export interface ConfigureSettings {
  network: NetworkPolicy;
}

export interface Runtime {
  readonly id: RuntimeId;
  readonly displayName: string;
  /** Presence, version, set-up state and capabilities, for onboarding and `doctor`. */
  inspect(): Promise<RuntimeInfo>;
  create(spec: InstanceSpec, ctx: OperationContext): Promise<void>;
  start(instanceName: string, ctx: OperationContext): Promise<void>;
  stop(instanceName: string, ctx: OperationContext, options?: StopOptions): Promise<void>;
  /** An instance that is already gone is no error: what outlives it (the home folder, unless kept) still goes. */
  delete(instanceName: string, ctx: OperationContext, options?: DeleteOptions): Promise<void>;
  status(instanceName: string): Promise<InstanceStatus>;
  /** The guest's address once it has one; waits up to `timeoutMs`, returns null if none came. */
  getIp(instanceName: string, ctx: OperationContext, timeoutMs: number): Promise<string | null>;
  /** Every instance this runtime holds that carries Tidepool's marks. */
  list(): Promise<InstanceSummary[]>;
  stats?(instanceName: string): Promise<InstanceStats | null>;
  configure?(instanceName: string, settings: ConfigureSettings, ctx: OperationContext): Promise<void>;
  /**
   * Makes a running warm-pool instance the workspace's own (its marks, its guest hostname); the instance keeps
   * its name. Runtimes without it get no warm pool.
   */
  claimWarm?(instanceName: string, spec: InstanceSpec, ctx: OperationContext): Promise<void>;
  images?(): Promise<ImageInfo[]>;
  /** The image reference new workspaces use on this runtime. */
  defaultImage(): string;
  capabilities(): Promise<RuntimeCapabilities>;
  /**
   * The same runtime on one server (an Incus remote by name, null for this computer), whatever the settings
   * say later: a workspace is managed where it was created. Runtimes with a single location leave it out.
   */
  at?(location: string | null): Runtime;
  /** The server new workspaces go to now (the active Incus remote), recorded on the workspace. */
  location?(): string | null;
  /**
   * A byte stream to the guest's sshd when its address cannot be reached from here (a workspace on a remote
   * server); null when a TCP connection to the address works.
   */
  sshStream?(instanceName: string): ((signal: AbortSignal) => Promise<Duplex>) | null;
}
