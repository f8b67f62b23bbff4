/**
 * The composition root of Tidepool's core: store, runtimes, guest access, workspace service. It runs in
 * plain Node; the Electron shell, the headless server and the CLI each create one and attach to it.
 */
import { join } from 'node:path';
import type { OperationStep, RuntimeId } from '../src-shared/workspace.js';
import { EventBus } from './api/event-bus.js';
import type { IdeViewHost } from './api/ide-view-host.js';
import type { GuestAccess } from './guest/guest-access.js';
import { SimulatedGuest } from './guest/simulated-guest.js';
import { applySshConfigInclude } from './guest/ssh-config.js';
import { SshGuest } from './guest/ssh-guest.js';
import { loadOrCreateSshKey } from './guest/ssh-key.js';
import { ImageService } from './images/image-service.js';
import { createRuntimes } from './runtimes/available.js';
import { IncusRemotes } from './runtimes/incus/incus-remotes.js';
import { RuntimeRegistry } from './runtimes/registry.js';
import type { OperationContext, Runtime } from './runtimes/runtime.js';
import type { SimulatedRuntime } from './runtimes/simulated/simulated-runtime.js';
import { SettingsService } from './settings.js';
import { ConfStateStore } from './store/conf-state-store.js';
import type { StateStore } from './store/state-store.js';
import { WorkspaceLogs } from './workspaces/workspace-log.js';
import { HealthMonitor } from './workspaces/health-monitor.js';
import { WarmPool } from './workspaces/warm-pool.js';
import { ensurePrivateFolder } from './util/private-folder.js';
import { WorkspaceService } from './workspaces/workspace-service.js';

export interface CoreOptions {
  dataDir: string;
  /** Defaults to the conf-backed file store in dataDir; the Electron shell passes electron-store. */
  store?: StateStore;
  platform?: string;
  /** Replaces runtime detection entirely (tests). */
  runtimes?: Runtime[];
  /** Offer the simulated runtime, or use this instance of it. */
  simulated?: boolean | SimulatedRuntime;
  /** Guest access for real runtimes (SSH); the simulated runtime always uses its own. */
  sshGuest?: (core: Pick<Core, 'events' | 'dataDir' | 'settings'>) => GuestAccess;
  /** The `--runtime` flag: wins over the stored setting for this process. */
  runtimeOverride?: RuntimeId;
  timeouts?: { addressMs?: number; stopMs?: number };
  /** Per-step deadlines (tests make them short). */
  stepDeadlinesMs?: Partial<Record<OperationStep, number>>;
  /** How often ready workspaces are health-checked; 0 turns the monitor off (tests). */
  healthIntervalMs?: number;
  /** How long each simulated guest step takes (tests make it short). */
  simulatedGuestStepMs?: number;
  /** How to run this Tidepool's CLI (argv): the ssh ProxyCommand for workspaces on a remote Incus server. */
  cliCommand?: string[];
  /** Keep the warm pool filled (Settings.warmPool): long-running hosts only, never a one-shot CLI command. */
  keepWarmPool?: boolean;
}

export interface Core {
  dataDir: string;
  store: StateStore;
  events: EventBus;
  logs: WorkspaceLogs;
  settings: SettingsService;
  registry: RuntimeRegistry;
  workspaces: WorkspaceService;
  images: ImageService;
  health: HealthMonitor;
  warmPool: WarmPool;
  remotes: IncusRemotes;
  guestFor(runtime: RuntimeId): GuestAccess;
  quietContext(): OperationContext;
  dispose(): Promise<void>;
  /** Set by the Electron shell once its window exists; absent in the browser host and the CLI. */
  ideViews?: IdeViewHost;
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const platform = options.platform ?? process.platform;
  ensurePrivateFolder(options.dataDir);
  const store = options.store ?? new ConfStateStore(options.dataDir);
  const events = new EventBus();
  const settings = new SettingsService(
    store,
    (next) => {
      // Consent to the ~/.ssh/config include takes effect (or is withdrawn) at once.
      applySshConfigInclude(options.dataDir, next.sshConfigInclude);
      warmPool.poke();
      void registry.hostStatus(true).then((status) => events.emit('hostChanged', status));
    },
    options.runtimeOverride ? { runtime: options.runtimeOverride } : {},
  );
  const built = options.runtimes
    ? { runtimes: options.runtimes, bakes: [] }
    : createRuntimes({
        dataDir: options.dataDir,
        platform,
        settings: () => settings.get(),
        simulated: options.simulated ?? false,
      });
  const registry = new RuntimeRegistry(built.runtimes, {
    platform,
    preferred: () => settings.get().runtime,
    preferredByFlag: options.runtimeOverride !== undefined,
  });
  const logs = new WorkspaceLogs(join(options.dataDir, 'logs'), (line) => events.emit('log', line));
  const simulatedGuest = new SimulatedGuest(options.simulatedGuestStepMs);
  let sshGuest: GuestAccess | null = null;
  const base = { events, dataDir: options.dataDir, settings };
  const guestFor = (runtime: RuntimeId): GuestAccess => {
    if (runtime === 'simulated') return simulatedGuest;
    sshGuest ??= options.sshGuest
      ? options.sshGuest(base)
      : new SshGuest({ dataDir: options.dataDir, settings: () => settings.get(), platform, cliCommand: options.cliCommand ?? null });
    return sshGuest;
  };
  const sshPublicKey = async (): Promise<string> => loadOrCreateSshKey(options.dataDir).publicKey;
  const warmPool = new WarmPool({
    registry,
    settings: () => settings.get(),
    sshPublicKey,
    inUse: (instanceName: string): boolean => workspaces.list().some((workspace) => workspace.instanceName === instanceName),
    log: (line) => console.warn(`Tidepool warm pool: ${line}`),
  });
  const workspaces: WorkspaceService = new WorkspaceService({
    store,
    registry,
    guestFor,
    events,
    logs,
    settings: () => settings.get(),
    sshPublicKey,
    warmPool,
    ...(options.timeouts?.addressMs !== undefined ? { addressTimeoutMs: options.timeouts.addressMs } : {}),
    ...(options.timeouts?.stopMs !== undefined ? { stopTimeoutMs: options.timeouts.stopMs } : {}),
    ...(options.stepDeadlinesMs ? { stepDeadlinesMs: options.stepDeadlinesMs } : {}),
  });
  const health = new HealthMonitor(workspaces, registry, guestFor, options.healthIntervalMs || 10_000);
  if (options.healthIntervalMs !== 0) health.start();
  if (options.keepWarmPool) warmPool.start();
  const images = new ImageService(built.bakes, events, async () => (await registry.hostStatus()).selected);
  return {
    dataDir: options.dataDir,
    store,
    events,
    logs,
    settings,
    registry,
    workspaces,
    images,
    health,
    warmPool,
    remotes: new IncusRemotes({ dataDir: options.dataDir, settings, workspaces: () => workspaces.list() }),
    guestFor,
    quietContext: () => ({ signal: new AbortController().signal, progress: () => undefined, log: () => undefined }),
    dispose: async () => {
      health.stop();
      await warmPool.stop();
      await simulatedGuest.dispose();
      await sshGuest?.dispose();
    },
  };
}
