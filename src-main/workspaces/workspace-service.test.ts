import { afterEach, describe, expect, it } from 'vitest';
import { TidepoolError } from '../../src-shared/errors.js';
import { simulatedHarness, type Harness } from './test-harness.js';

let harness: Harness;
afterEach(async () => {
  await harness?.core.workspaces.drain();
  await harness?.core.dispose();
});

async function created(name = 'alpha') {
  const workspace = await harness.core.workspaces.create({ name });
  await harness.core.workspaces.settled(workspace.id);
  return harness.core.workspaces.get(workspace.id);
}

describe('WorkspaceService lifecycle', () => {
  it('creates a workspace through provision, boot, address and configure to ready', async () => {
    harness = await simulatedHarness();
    const workspace = await harness.core.workspaces.create({ name: 'alpha' });
    expect(workspace.state).toBe('creating');
    await harness.core.workspaces.settled(workspace.id);
    const ready = harness.core.workspaces.get(workspace.id);
    expect(ready.state).toBe('ready');
    expect(ready.address).toMatch(/^10\.77\.0\./);
    expect(ready.idePort).toBeGreaterThan(0);
    const states = harness.eventsOf('workspaceChanged').filter((w) => w.id === workspace.id).map((w) => w.state);
    expect([...new Set(states)]).toEqual(['creating', 'starting', 'configuring', 'ready']);
    const steps = harness.eventsOf('progress').map((p) => p.step);
    expect(steps).toEqual(expect.arrayContaining(['provision', 'boot', 'address', 'ssh', 'configure', 'ide']));
    expect(harness.eventsOf('progress').at(-1)).toMatchObject({ done: true, failed: false });
  });

  it('stops, starts and deletes', async () => {
    harness = await simulatedHarness();
    const workspace = await created();
    await harness.core.workspaces.stop(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id)).toMatchObject({ state: 'stopped', address: null });
    await harness.core.workspaces.start(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id).state).toBe('ready');
    await harness.core.workspaces.delete(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(() => harness.core.workspaces.get(workspace.id)).toThrow(TidepoolError);
    expect(harness.runtime.has(workspace.instanceName)).toBe(false);
    expect(harness.eventsOf('workspaceRemoved')).toEqual([{ id: workspace.id }]);
  });

  it('keeps the IDE port stable across a restart', async () => {
    harness = await simulatedHarness();
    const workspace = await created();
    await harness.core.workspaces.stop(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    await harness.core.workspaces.start(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id).idePort).toBe(workspace.idePort);
  });

  it('refuses a second operation on a busy workspace', async () => {
    harness = await simulatedHarness({ delays: { create: 200 } });
    const workspace = await harness.core.workspaces.create({ name: 'busy' });
    await expect(harness.core.workspaces.stop(workspace.id)).rejects.toMatchObject({ code: 'BUSY' });
    await expect(harness.core.workspaces.delete(workspace.id)).rejects.toMatchObject({ code: 'BUSY' });
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id).state).toBe('ready');
  });

  it('refuses a duplicate name and changes nothing', async () => {
    harness = await simulatedHarness();
    await created('dup');
    const before = harness.core.workspaces.list();
    await expect(harness.core.workspaces.create({ name: 'dup' })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(harness.core.workspaces.list()).toEqual(before);
  });
});

describe('WorkspaceService failures', () => {
  const steps = [
    ['create', 'provision'],
    ['start', 'boot'],
    ['getIp', 'address'],
  ] as const;

  for (const [op, step] of steps) {
    it(`shows the cause when ${op} fails during create, keeping the record`, async () => {
      harness = await simulatedHarness();
      harness.runtime.inject(op, { kind: 'error', message: `${op} exploded`, detail: 'exit status 1' });
      const workspace = await harness.core.workspaces.create({ name: 'fails' });
      await harness.core.workspaces.settled(workspace.id);
      const failed = harness.core.workspaces.get(workspace.id);
      expect(failed.state).toBe('error');
      expect(failed.lastError).toMatchObject({ code: 'RUNTIME_ERROR', message: `${op} exploded`, detail: 'exit status 1', step });
      expect(harness.eventsOf('progress').at(-1)).toMatchObject({ done: true, failed: true, step });
    });
  }

  it('times out with a clear error when no address comes', async () => {
    harness = await simulatedHarness();
    harness.runtime.inject('getIp', { kind: 'no-address' });
    const workspace = await created('noip');
    expect(workspace.state).toBe('error');
    expect(workspace.lastError).toMatchObject({ code: 'TIMEOUT', step: 'address' });
    expect(workspace.lastError?.message).toContain('no network address');
  });

  it('recovers from an error by starting again', async () => {
    harness = await simulatedHarness();
    harness.runtime.inject('start', { kind: 'error', message: 'boot failed' });
    const workspace = await created('retry');
    expect(workspace.state).toBe('error');
    await harness.core.workspaces.start(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id)).toMatchObject({ state: 'ready', lastError: null });
  });

  it('rolls back a cancelled create: no instance, no record', async () => {
    harness = await simulatedHarness();
    harness.runtime.inject('start', { kind: 'hang' });
    const workspace = await harness.core.workspaces.create({ name: 'cancelme' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    harness.core.workspaces.cancel(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.list()).toEqual([]);
    expect(harness.runtime.has(workspace.instanceName)).toBe(false);
  });

  it('leaves a cancelled start stopped', async () => {
    harness = await simulatedHarness();
    const workspace = await created('halfway');
    await harness.core.workspaces.stop(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    harness.runtime.inject('getIp', { kind: 'hang' });
    await harness.core.workspaces.start(workspace.id);
    await new Promise((resolve) => setTimeout(resolve, 30));
    harness.core.workspaces.cancel(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id).state).toBe('stopped');
    expect((await harness.runtime.status(workspace.instanceName)).state).toBe('stopped');
  });
});

describe('WorkspaceService concurrency', () => {
  it('lets only one of two concurrent creates with the same name through', async () => {
    harness = await simulatedHarness();
    const results = await Promise.allSettled([
      harness.core.workspaces.create({ name: 'twin' }),
      harness.core.workspaces.create({ name: 'twin' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'ALREADY_EXISTS' } });
    expect(harness.core.workspaces.list().filter((w) => w.name === 'twin')).toHaveLength(1);
  });

  it('runs operations on different workspaces at the same time', async () => {
    harness = await simulatedHarness({ delays: { create: 100 } });
    const [a, b] = await Promise.all([
      harness.core.workspaces.create({ name: 'left' }),
      harness.core.workspaces.create({ name: 'right' }),
    ]);
    expect(harness.core.workspaces.progress().map((p) => p.workspaceId).sort()).toEqual([a.id, b.id].sort());
    await Promise.all([harness.core.workspaces.settled(a.id), harness.core.workspaces.settled(b.id)]);
    expect(harness.core.workspaces.list().map((w) => w.state)).toEqual(['ready', 'ready']);
  });

  it('refuses cancel when nothing is running and for stop', async () => {
    harness = await simulatedHarness({ delays: { stop: 100 } });
    const workspace = await created('calm');
    expect(() => harness.core.workspaces.cancel(workspace.id)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    await harness.core.workspaces.stop(workspace.id);
    expect(() => harness.core.workspaces.cancel(workspace.id)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    await harness.core.workspaces.settled(workspace.id);
  });
});

describe('WorkspaceService deadlines', () => {
  it('fails a step whose runtime call hangs and ignores cancellation, with TIMEOUT and the step', async () => {
    harness = await simulatedHarness({ stepDeadlinesMs: { boot: 50 } });
    harness.runtime.inject('start', { kind: 'hang', ignoreCancel: true });
    const workspace = await created('wedged');
    expect(workspace.state).toBe('error');
    expect(workspace.lastError).toMatchObject({ code: 'TIMEOUT', step: 'boot' });
    expect(workspace.lastError?.message).toContain('Booting did not finish');
  });

  it('lets a hung stop time out so the workspace is not stuck in stopping', async () => {
    harness = await simulatedHarness({ stepDeadlinesMs: { shutdown: 50 } });
    const workspace = await created('stuck');
    harness.runtime.inject('stop', { kind: 'hang' });
    await harness.core.workspaces.stop(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id)).toMatchObject({ state: 'error', lastError: { code: 'TIMEOUT' } });
    await harness.core.workspaces.stop(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    expect(harness.core.workspaces.get(workspace.id).state).toBe('stopped');
  });
});

describe('WorkspaceService open', () => {
  it('reattaches a workspace that is ready in the runtime but not connected from this process', async () => {
    harness = await simulatedHarness();
    const workspace = await created('reopen');
    await harness.core.guestFor('simulated').detach(workspace.id);
    const { ideUrl, workspace: opened } = await harness.core.workspaces.open(workspace.id);
    expect(opened.state).toBe('ready');
    expect(ideUrl).toBe(`http://127.0.0.1:${workspace.idePort}/`);
    expect(opened.lastOpenedAt).not.toBeNull();
    expect(harness.runtime.calls.filter((call) => call.op === 'start')).toHaveLength(1);
  });

  it('starts a stopped workspace and returns its IDE', async () => {
    harness = await simulatedHarness();
    const workspace = await created('sleepy');
    await harness.core.workspaces.stop(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    const { workspace: opened } = await harness.core.workspaces.open(workspace.id);
    expect(opened.state).toBe('ready');
  });

  it('says why when the workspace cannot be opened', async () => {
    harness = await simulatedHarness();
    const workspace = await created('broken');
    await harness.core.workspaces.stop(workspace.id);
    await harness.core.workspaces.settled(workspace.id);
    harness.runtime.inject('start', { kind: 'error', message: 'no space left on device' });
    await expect(harness.core.workspaces.open(workspace.id)).rejects.toMatchObject({
      code: 'INVALID_STATE',
      hint: 'no space left on device',
    });
  });
});

describe('WorkspaceService kinds', () => {
  it('falls back to the kind the runtime offers when the default is not available (Tart runs only VMs)', async () => {
    harness = await simulatedHarness();
    const capabilities = await harness.runtime.capabilities();
    harness.runtime.capabilities = async () => ({
      ...capabilities,
      kinds: { container: { available: false, reason: 'Tart runs virtual machines only.' }, vm: { available: true } },
    });
    const workspace = await harness.core.workspaces.create({ name: 'vm-only' });
    expect(workspace.kind).toBe('vm');
    await harness.core.workspaces.settled(workspace.id);
    await expect(harness.core.workspaces.create({ name: 'asked', kind: 'container' })).rejects.toMatchObject({
      code: 'RUNTIME_UNAVAILABLE',
      hint: 'Tart runs virtual machines only.',
    });
  });
});
