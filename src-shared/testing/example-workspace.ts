/** A well-formed workspace record for tests in main and in the renderer, each field overridable. */
import type { Workspace } from '../workspace.js';

let counter = 0;

/** A workspace id as the contract validates them (a UUID), different on every call. */
export function exampleWorkspaceId(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

export function exampleWorkspace(overrides: Partial<Workspace> = {}): Workspace {
  const name = overrides.name ?? `ws-${counter + 1}`;
  return {
    id: exampleWorkspaceId(),
    name,
    runtime: 'incus',
    kind: 'container',
    image: 'tidepool/0.1.0',
    imageVersion: '0.1.0',
    resources: { cpus: 2, memoryMiB: 4096, diskGiB: 20 },
    network: { mode: 'isolated' },
    repoUrl: null,
    sshAgentForwarding: false,
    state: 'stopped',
    address: null,
    instanceName: `tp-${name}`,
    idePort: null,
    createdAt: '2026-11-20T10:00:00.000Z',
    lastOpenedAt: null,
    lastError: null,
    ...overrides,
  };
}
