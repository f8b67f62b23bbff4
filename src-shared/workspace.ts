/** Domain types shared by the core, the shells and the renderer. No Node, no DOM, no Electron here. */

export const RUNTIME_IDS = ['tart', 'incus', 'simulated'] as const;
export type RuntimeId = (typeof RUNTIME_IDS)[number];

export const INSTANCE_KINDS = ['container', 'vm'] as const;
export type InstanceKind = (typeof INSTANCE_KINDS)[number];

export const WORKSPACE_STATES = [
  'creating',
  'starting',
  'configuring',
  'ready',
  'stopping',
  'stopped',
  'deleting',
  'error',
] as const;
export type WorkspaceState = (typeof WORKSPACE_STATES)[number];

/**
 * Legal state changes. `creating → deleting` is the roll-back of a cancelled or failed create;
 * `ready → stopped` and `ready → error` are what reconcile and health checks observe from the runtime.
 */
export const WORKSPACE_TRANSITIONS: Readonly<Record<WorkspaceState, readonly WorkspaceState[]>> = {
  creating: ['starting', 'error', 'deleting'],
  starting: ['configuring', 'stopping', 'stopped', 'error'],
  configuring: ['ready', 'stopping', 'stopped', 'error'],
  ready: ['configuring', 'stopping', 'stopped', 'error'],
  stopping: ['stopped', 'error'],
  stopped: ['starting', 'deleting', 'error'],
  deleting: ['error'],
  error: ['starting', 'stopping', 'stopped', 'deleting'],
};

export function canTransition(from: WorkspaceState, to: WorkspaceState): boolean {
  return WORKSPACE_TRANSITIONS[from].includes(to);
}

/** States in which an operation is running; a second operation is refused as busy. */
export const BUSY_STATES: readonly WorkspaceState[] = ['creating', 'starting', 'configuring', 'stopping', 'deleting'];

export interface Resources {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
}

export type NetworkPolicy =
  | { mode: 'isolated' }
  /** Isolated, except these CIDRs the user chose to allow (a LAN service, a VPN range). */
  | { mode: 'allow-list'; allow: string[] };

export interface WorkspaceErrorInfo {
  code: string;
  message: string;
  hint?: string;
  /** The runtime's own words, verbatim. */
  detail?: string;
  /** The step that failed, when an operation failed. */
  step?: OperationStep;
  at: string;
}

export interface Workspace {
  id: string;
  name: string;
  runtime: RuntimeId;
  kind: InstanceKind;
  /** Image reference the workspace was created from, e.g. `tidepool/0.1.0`. */
  image: string;
  imageVersion: string;
  resources: Resources;
  network: NetworkPolicy;
  repoUrl: string | null;
  sshAgentForwarding: boolean;
  state: WorkspaceState;
  address: string | null;
  /** Name of the VM or instance in the runtime. */
  instanceName: string;
  /** Stable 127.0.0.1 port of the IDE tunnel: the IDE's origin, so editor state survives restarts. */
  idePort: number | null;
  createdAt: string;
  lastOpenedAt: string | null;
  lastError: WorkspaceErrorInfo | null;
  /** The Incus remote (by name) the workspace lives on; absent for this computer. */
  location?: string;
  /** Set while a delete runs, so one cut short by a crash is finished the same way (keeping the home folder or not). */
  pendingDelete?: { keepHome: boolean };
}

export const OPERATIONS = ['create', 'start', 'stop', 'delete', 'open', 'rebuild'] as const;
export type OperationKind = (typeof OPERATIONS)[number];

/** The named steps a user sees in the progress view. */
export const OPERATION_STEPS = [
  'provision',
  'boot',
  'address',
  'ssh',
  'configure',
  'ide',
  'clone-repo',
  'shutdown',
  'remove',
] as const;
export type OperationStep = (typeof OPERATION_STEPS)[number];

export const STEP_LABELS: Readonly<Record<OperationStep, string>> = {
  provision: 'Cloning image',
  boot: 'Booting',
  address: 'Waiting for network',
  ssh: 'Connecting over SSH',
  configure: 'Configuring',
  ide: 'Starting IDE',
  'clone-repo': 'Cloning repository',
  shutdown: 'Shutting down',
  remove: 'Removing',
};

export interface OperationProgress {
  workspaceId: string;
  operation: OperationKind;
  step: OperationStep;
  steps: OperationStep[];
  message: string;
  startedAt: string;
  stepStartedAt: string;
  done: boolean;
  failed: boolean;
}

export interface LogLine {
  workspaceId: string;
  at: string;
  source: 'tidepool' | 'runtime' | 'guest';
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface KindSupport {
  available: boolean;
  /** Why not, in words a user can act on. */
  reason?: string;
}

export interface RuntimeCapabilities {
  kinds: Record<InstanceKind, KindSupport>;
  suspend: boolean;
  snapshots: boolean;
  stats: boolean;
  /** Per-workspace allow-lists on top of the isolated default. */
  networkAllowList: boolean;
  /** The home folder lives apart from the instance and survives a rebuild. */
  separateHome: boolean;
}

export interface SetupStep {
  id: string;
  title: string;
  ok: boolean;
  /** What is wrong and what to do, when not ok. */
  detail?: string;
  /** The exact command(s) to run, when a command fixes it. */
  command?: string;
}

export interface RuntimeInfo {
  id: RuntimeId;
  displayName: string;
  /** Present and usable for creating workspaces. */
  available: boolean;
  /** A stand-in for development and tests, not a real runtime. */
  simulated: boolean;
  version: string | null;
  capabilities: RuntimeCapabilities | null;
  setup: SetupStep[];
  warnings: string[];
}

export interface HostStatus {
  platform: 'darwin' | 'linux' | 'win32' | 'other';
  runtimes: RuntimeInfo[];
  /** The runtime new workspaces use: the user's explicit choice, else the best available. */
  selected: RuntimeId | null;
  /** `flag`: the `--runtime` option of this process, which wins over the setting. */
  selectedBy: 'flag' | 'setting' | 'auto' | 'none';
  /** True when everything needed to create a workspace is in place. */
  ready: boolean;
}

export interface ImageInfo {
  runtime: RuntimeId;
  ref: string;
  version: string;
  current: boolean;
  sizeBytes: number | null;
  createdAt: string | null;
}

export interface InstanceStats {
  cpuPercent: number | null;
  memoryBytes: number | null;
  diskBytes: number | null;
}

/** A runtime instance carrying Tidepool's marks that no workspace record knows. */
export interface OrphanInstance {
  runtime: RuntimeId;
  instanceName: string;
  workspaceId: string | null;
  name: string | null;
  running: boolean;
}

export interface ForwardedPort {
  workspaceId: string;
  guestPort: number;
  hostPort: number;
  url: string;
}

export interface GuestPort {
  port: number;
  process: string | null;
  address: string;
}

export interface SshInfo {
  hostAlias: string;
  command: string;
  vscodeUri: string;
  configPath: string;
  includedInUserConfig: boolean;
}

export interface Settings {
  runtime: RuntimeId | 'auto';
  defaultResources: Resources;
  defaultKind: InstanceKind;
  quitBehaviour: 'ask' | 'stop' | 'leave-running';
  sshConfigInclude: boolean;
  theme: 'system' | 'light' | 'dark';
  incus: { socketPath: string | null; remotes: IncusRemote[]; activeRemote: string | null };
  tart: { home: string | null };
  /** Started, unclaimed instances kept ready so a new workspace skips clone and boot; 0 turns it off. */
  warmPool: { size: number };
}

export interface IncusRemote {
  name: string;
  url: string;
  /** SHA-256 fingerprint of the pinned server certificate. */
  serverFingerprint: string;
}
