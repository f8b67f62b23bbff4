import type { HostStatus, RuntimeId, RuntimeInfo } from '../../src-shared/workspace.js';

const SHORT_NAMES: Record<RuntimeId, string> = { tart: 'Tart', incus: 'Incus', simulated: 'Simulated' };

export function findRuntime(status: HostStatus | null, id: RuntimeId): RuntimeInfo | undefined {
  return status?.runtimes.find((runtime) => runtime.id === id);
}

export function runtimeName(status: HostStatus | null, id: RuntimeId): string {
  return findRuntime(status, id)?.displayName ?? SHORT_NAMES[id];
}

/** The runtime's plain name, for running text (“its Incus container”). */
export function runtimeShortName(id: RuntimeId): string {
  return SHORT_NAMES[id];
}

/** Real runtimes first; the simulated one last. */
export function realFirst(runtimes: RuntimeInfo[]): RuntimeInfo[] {
  return [...runtimes].sort((a, b) => Number(a.simulated) - Number(b.simulated));
}

export function kindName(kind: 'container' | 'vm'): string {
  return kind === 'vm' ? 'Virtual machine' : 'Container';
}
