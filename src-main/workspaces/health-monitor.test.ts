import { afterEach, describe, expect, it } from 'vitest';
import type { GuestAccess, IdeHealth } from '../guest/guest-access.js';
import { HealthMonitor } from './health-monitor.js';
import { simulatedHarness, type Harness } from './test-harness.js';

let harness: Harness;
afterEach(async () => {
  await harness.core.workspaces.drain();
  await harness.core.dispose();
});

async function ready(name: string) {
  const workspace = await harness.core.workspaces.create({ name });
  await harness.core.workspaces.settled(workspace.id);
  return harness.core.workspaces.get(workspace.id);
}

describe('HealthMonitor', () => {
  it('shows a workspace whose VM died as stopped with the cause, and it can start again', async () => {
    harness = await simulatedHarness();
    const workspace = await ready('fragile');
    harness.runtime.tamper(workspace.instanceName, 'stop');
    await new HealthMonitor(harness.core.workspaces, harness.core.registry, harness.core.guestFor).checkOnce();
    const seen = harness.core.workspaces.get(workspace.id);
    expect(seen).toMatchObject({ state: 'stopped', address: null, lastError: { code: 'RUNTIME_ERROR' } });
    expect(seen.lastError?.message).toContain('stopped unexpectedly');
    expect(harness.core.guestFor('simulated').isAttached(workspace.id)).toBe(false);
    await harness.core.workspaces.start(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id).state).toBe('ready');
  });

  it('shows a workspace whose instance vanished as failed', async () => {
    harness = await simulatedHarness();
    const workspace = await ready('vanishing');
    harness.runtime.tamper(workspace.instanceName, 'delete');
    await new HealthMonitor(harness.core.workspaces, harness.core.registry, harness.core.guestFor).checkOnce();
    expect(harness.core.workspaces.get(workspace.id)).toMatchObject({ state: 'error', lastError: { code: 'NOT_FOUND' } });
  });

  it('passes over a workspace deleted while the check was running', async () => {
    harness = await simulatedHarness();
    const first = await ready('first');
    const second = await ready('second');
    const status = harness.runtime.status.bind(harness.runtime);
    harness.runtime.status = async (instanceName) => {
      if (instanceName === first.instanceName) {
        await harness.core.workspaces.delete(second.id);
        await harness.core.workspaces.settled(second.id);
      }
      return status(instanceName);
    };
    await expect(new HealthMonitor(harness.core.workspaces, harness.core.registry, harness.core.guestFor).checkOnce()).resolves.toBeUndefined();
    expect(harness.core.workspaces.list().map((workspace) => workspace.name)).toEqual(['first']);
    expect(harness.core.workspaces.get(first.id).state).toBe('ready');
  });

  it('logs an IDE restart reported by the guest layer and leaves the workspace ready', async () => {
    harness = await simulatedHarness();
    const workspace = await ready('flaky-ide');
    const guest = harness.core.guestFor('simulated');
    const checking: GuestAccess = Object.assign(Object.create(guest) as GuestAccess, {
      checkIde: async (): Promise<IdeHealth> => ({ state: 'restarted', detail: 'code-server exited with status 1' }),
    });
    await new HealthMonitor(harness.core.workspaces, harness.core.registry, () => checking).checkOnce();
    expect(harness.core.workspaces.get(workspace.id).state).toBe('ready');
    expect(harness.core.logs.recent(workspace.id).at(-1)?.text).toContain('restarted (code-server exited with status 1)');
  });
});
