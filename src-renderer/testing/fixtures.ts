/** Realistic domain objects for component tests, each overridable field by field. */
import { exampleWorkspace, exampleWorkspaceId } from '../../src-shared/testing/example-workspace.js';
import type {
  HostStatus,
  IncusRemote,
  OperationProgress,
  RuntimeCapabilities,
  RuntimeInfo,
  Settings,
} from '../../src-shared/workspace.js';

/** A well-formed workspace id (the contract validates them as UUIDs). */
export const workspaceId = exampleWorkspaceId;

export const makeWorkspace = exampleWorkspace;

export function capabilities(overrides: Partial<RuntimeCapabilities> = {}): RuntimeCapabilities {
  return {
    kinds: { container: { available: true }, vm: { available: true } },
    suspend: false,
    snapshots: false,
    stats: true,
    networkAllowList: true,
    separateHome: false,
    ...overrides,
  };
}

export function incusRuntime(overrides: Partial<RuntimeInfo> = {}): RuntimeInfo {
  return {
    id: 'incus',
    displayName: 'Incus',
    available: true,
    simulated: false,
    version: '6.0.4',
    capabilities: capabilities({
      kinds: {
        container: { available: true },
        vm: { available: false, reason: 'This computer cannot run Incus virtual machines (no vhost_vsock).' },
      },
      separateHome: true,
    }),
    setup: [{ id: 'daemon', title: 'Incus is running', ok: true }],
    warnings: [],
    ...overrides,
  };
}

export function simulatedRuntime(overrides: Partial<RuntimeInfo> = {}): RuntimeInfo {
  return {
    id: 'simulated',
    displayName: 'Simulated (for development)',
    available: true,
    simulated: true,
    version: 'simulated',
    capabilities: capabilities({ stats: false }),
    setup: [],
    warnings: [],
    ...overrides,
  };
}

export function readyHost(overrides: Partial<HostStatus> = {}): HostStatus {
  return {
    platform: 'linux',
    runtimes: [incusRuntime()],
    selected: 'incus',
    selectedBy: 'auto',
    ready: true,
    ...overrides,
  };
}

export function defaultSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    runtime: 'auto',
    defaultResources: { cpus: 2, memoryMiB: 4096, diskGiB: 20 },
    defaultKind: 'container',
    quitBehaviour: 'ask',
    sshConfigInclude: false,
    theme: 'system',
    incus: { socketPath: null, remotes: [], activeRemote: null },
    tart: { home: null },
    warmPool: { size: 0 },
    ...overrides,
  };
}

export function makeProgress(workspaceId: string, overrides: Partial<OperationProgress> = {}): OperationProgress {
  return {
    workspaceId,
    operation: 'create',
    step: 'provision',
    steps: ['provision', 'boot', 'address', 'ssh', 'configure', 'ide'],
    message: '',
    startedAt: '2026-11-20T10:00:00.000Z',
    stepStartedAt: '2026-11-20T10:00:00.000Z',
    done: false,
    failed: false,
    ...overrides,
  };
}

/** A server certificate's SHA-256 fingerprint, as Incus prints it (64 lower-case hex digits). */
export const SERVER_FINGERPRINT = '3f2a9c1d0b8e7f6655443322110099aabbccddeeff00112233445566778899aa';

/** What `incus config trust add tidepool` prints on a server: base64 of a JSON object. */
export function trustToken(overrides: { addresses?: string[]; fingerprint?: string; secret?: string; expiresAt?: string } = {}): string {
  return btoa(
    JSON.stringify({
      client_name: 'tidepool',
      fingerprint: overrides.fingerprint ?? SERVER_FINGERPRINT,
      addresses: overrides.addresses ?? ['192.0.2.10:8443'],
      secret: overrides.secret ?? `secret-${workspaceId()}`,
      expires_at: overrides.expiresAt ?? '0001-01-01T00:00:00Z',
    }),
  );
}

export function incusRemote(overrides: Partial<IncusRemote> = {}): IncusRemote {
  return { name: 'team-server', url: 'https://192.0.2.10:8443', serverFingerprint: SERVER_FINGERPRINT, ...overrides };
}
