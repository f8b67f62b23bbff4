import type { HostStatus, RuntimeId, RuntimeInfo } from '../../src-shared/workspace.js';

const FALLBACK_NAMES: Record<RuntimeId, string> = { tart: 'Tart', incus: 'Incus', simulated: 'Simulated' };

export function findRuntime(status: HostStatus | null, id: RuntimeId): RuntimeInfo | undefined {
  return status?.runtimes.find((runtime) => runtime.id === id);
}

export function runtimeName(status: HostStatus | null, id: RuntimeId): string {
  return findRuntime(status, id)?.displayName ?? FALLBACK_NAMES[id];
}

export function kindName(kind: 'container' | 'vm'): string {
  return kind === 'vm' ? 'Virtual machine' : 'Container';
}
