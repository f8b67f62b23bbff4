import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Workspace } from '../../src-shared/workspace.js';
import { MemoryStateStore } from '../store/state-store.js';
import { simulatedHarness, type Harness } from './test-harness.js';

const open: Harness[] = [];
async function harnessWith(options: Parameters<typeof simulatedHarness>[0] = {}) {
  const harness = await simulatedHarness(options);
  open.push(harness);
  return harness;
}
afterEach(async () => {
  for (const harness of open.splice(0)) {
    await harness.core.workspaces.drain();
    await harness.core.dispose();
  }
});

async function readyWorkspace(harness: Harness, name: string): Promise<Workspace> {
  const workspace = await harness.core.workspaces.create({ name });
  await harness.core.workspaces.settled(workspace.id);
  return harness.core.workspaces.get(workspace.id);
}

/** A second core over the same store and runtime: Tidepool after a restart. */
async function restart(previous: Harness): Promise<Harness> {
  const next = await harnessWith({ store: previous.store, runtime: previous.runtime });
  await next.core.workspaces.reconcile();
  return next;
}

function setRecord(harness: Harness, id: string, patch: Partial<Workspace>) {
  const records = harness.store.get('workspaces') ?? {};
  records[id] = { ...records[id]!, ...patch };
  harness.store.set('workspaces', records);
}

function setState(harness: Harness, id: string, state: Workspace['state']) {
  const records = harness.store.get('workspaces') ?? {};
  records[id] = { ...records[id]!, state };
  harness.store.set('workspaces', records);
}

describe('reconcile: the runtime is the truth', () => {
  it('shows a workspace deleted outside Tidepool as such, keeping the record', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'gone');
    first.runtime.tamper(workspace.instanceName, 'delete');
    const second = await restart(first);
    const seen = second.core.workspaces.get(workspace.id);
    expect(seen.state).toBe('error');
    expect(seen.lastError).toMatchObject({ code: 'NOT_FOUND' });
    expect(seen.lastError?.message).toContain('deleted outside Tidepool');
  });

  it('shows a workspace stopped outside Tidepool as stopped', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'halted');
    first.runtime.tamper(workspace.instanceName, 'stop');
    const second = await restart(first);
    expect(second.core.workspaces.get(workspace.id)).toMatchObject({ state: 'stopped', address: null });
  });

  it('reattaches to a workspace left running', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'running');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.get(workspace.id).state).toBe('ready');
    expect(second.runtime.calls.filter((call) => call.op === 'start' && call.instanceName === workspace.instanceName)).toHaveLength(1);
  });

  it('finishes a create interrupted before the instance existed', async () => {
    const first = await harnessWith();
    const workspace = await first.core.workspaces.create({ name: 'interrupted' });
    await first.core.workspaces.settled(workspace.id);
    first.runtime.tamper(workspace.instanceName, 'delete');
    setState(first, workspace.id, 'creating');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.get(workspace.id).state).toBe('ready');
    expect(second.runtime.has(workspace.instanceName)).toBe(true);
  });

  it('finishes a create interrupted after the instance was made', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'halfmade');
    first.runtime.tamper(workspace.instanceName, 'stop');
    setState(first, workspace.id, 'creating');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.get(workspace.id).state).toBe('ready');
  });

  it('finishes an interrupted delete: no orphaned instance, no stale record', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'doomed');
    setState(first, workspace.id, 'deleting');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.list()).toEqual([]);
    expect(second.runtime.has(workspace.instanceName)).toBe(false);
  });

  it('makes a half-made instance again when a create was cut off after the instance existed', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'halfkeyed');
    first.runtime.tamper(workspace.instanceName, 'stop');
    setState(first, workspace.id, 'creating');
    const deletes = vi.spyOn(first.runtime, 'delete');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.get(workspace.id).state).toBe('ready');
    // Removed with its home kept (it may be one the user kept from an earlier workspace), then made again.
    expect(deletes).toHaveBeenCalledWith(workspace.instanceName, expect.anything(), { keepHome: true });
    const ops = second.runtime.calls.filter((call) => call.instanceName === workspace.instanceName).map((call) => call.op);
    expect(ops.indexOf('create', ops.lastIndexOf('delete'))).toBeGreaterThan(-1);
  });

  it('finishes an interrupted delete that keeps the home folder the same way', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'keeper');
    setRecord(first, workspace.id, { state: 'deleting', pendingDelete: { keepHome: true } });
    const deletes = vi.spyOn(first.runtime, 'delete');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.list()).toEqual([]);
    expect(deletes).toHaveBeenCalledWith(workspace.instanceName, expect.anything(), { keepHome: true });
  });

  it('finishes a delete cut off while the instance was being stopped, instead of starting it again', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'halfgone');
    setRecord(first, workspace.id, { state: 'stopping', pendingDelete: { keepHome: false } });
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.list()).toEqual([]);
    expect(second.runtime.has(workspace.instanceName)).toBe(false);
  });

  it('removes what outlives the instance when a delete was cut off after the instance was gone', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'leftovers');
    first.runtime.tamper(workspace.instanceName, 'delete');
    setRecord(first, workspace.id, { state: 'deleting', pendingDelete: { keepHome: false } });
    const deletes = vi.spyOn(first.runtime, 'delete');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.list()).toEqual([]);
    // The runtime's delete also removes the home volume (Incus) or VM files (Tart) of a missing instance.
    expect(deletes).toHaveBeenCalledWith(workspace.instanceName, expect.anything(), { keepHome: false });
  });

  it('finishes a stop cut off midway, instead of reattaching to an instance that is shutting down', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'sleepy');
    setState(first, workspace.id, 'stopping');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.get(workspace.id)).toMatchObject({ state: 'stopped', address: null });
    expect((await second.runtime.status(workspace.instanceName)).state).toBe('stopped');
  });

  it('does not resume a delete that failed: a later interrupted stop stays a stop', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'survivor');
    first.runtime.inject('delete', { kind: 'error', message: 'device busy' });
    await first.core.workspaces.delete(workspace.id);
    await first.core.workspaces.settled(workspace.id);
    expect(first.core.workspaces.get(workspace.id)).toMatchObject({ state: 'error' });
    expect(first.core.workspaces.get(workspace.id).pendingDelete).toBeUndefined();
    await first.core.workspaces.start(workspace.id);
    await first.core.workspaces.settled(workspace.id);
    setState(first, workspace.id, 'stopping');
    const second = await restart(first);
    await second.core.workspaces.settled(workspace.id);
    expect(second.core.workspaces.list()).toHaveLength(1);
    expect(second.core.workspaces.get(workspace.id).state).toBe('stopped');
  });

  it('changes nothing when the runtime cannot be asked', async () => {
    const first = await harnessWith();
    const workspace = await readyWorkspace(first, 'steady');
    const before = first.store.get('workspaces');
    first.runtime.inject('list', { kind: 'error', message: 'socket refused' });
    const second = await restart(first);
    expect(second.store.get('workspaces')).toEqual(before);
    expect(second.core.logs.recent(workspace.id).at(-1)?.text).toContain('socket refused');
  });
});

describe('orphans', () => {
  const orphanSpec = {
    instanceName: 'tp-forgotten',
    workspaceId: '11111111-2222-4333-8444-555555555555',
    workspaceName: 'forgotten',
    kind: 'container' as const,
    image: 'tidepool/simulated',
    resources: { cpus: 1, memoryMiB: 1024, diskGiB: 10 },
    network: { mode: 'isolated' as const },
    sshPublicKey: '',
  };

  it('offers an instance Tidepool made but forgot, and adopts it', async () => {
    const harness = await harnessWith({ store: new MemoryStateStore() });
    harness.runtime.plant(orphanSpec);
    expect(await harness.core.workspaces.orphans()).toEqual([
      { runtime: 'simulated', instanceName: 'tp-forgotten', workspaceId: orphanSpec.workspaceId, name: 'forgotten', running: false },
    ]);
    const adopted = await harness.core.workspaces.adoptOrphan('simulated', 'tp-forgotten');
    expect(adopted).toMatchObject({ name: 'forgotten', instanceName: 'tp-forgotten', state: 'stopped' });
    expect(await harness.core.workspaces.orphans()).toEqual([]);
  });

  it('removes an orphan for good', async () => {
    const harness = await harnessWith();
    harness.runtime.plant(orphanSpec, 'running');
    await harness.core.workspaces.removeOrphan('simulated', 'tp-forgotten');
    expect(harness.runtime.has('tp-forgotten')).toBe(false);
    expect(await harness.core.workspaces.orphans()).toEqual([]);
  });
});
