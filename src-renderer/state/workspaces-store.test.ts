import { describe, expect, it } from 'vitest';
import { makeProgress, makeWorkspace } from '../testing/fixtures.js';
import { createWorkspacesStore, runningOperation } from './workspaces-store.js';

describe('workspaces store', () => {
  it('keeps the list in creation order as events add, change and remove workspaces', () => {
    const store = createWorkspacesStore();
    const older = makeWorkspace({ name: 'older', createdAt: '2026-11-01T00:00:00.000Z' });
    const newer = makeWorkspace({ name: 'newer', createdAt: '2026-11-02T00:00:00.000Z' });
    store.getState().upsert(newer);
    store.getState().upsert(older);
    expect(store.getState().list.map((w) => w.name)).toEqual(['older', 'newer']);
    store.getState().upsert({ ...older, state: 'ready' });
    expect(store.getState().byId[older.id]!.state).toBe('ready');
    store.getState().remove(older.id);
    expect(store.getState().list.map((w) => w.name)).toEqual(['newer']);
  });

  it('lets a snapshot replace whatever events said before it', () => {
    const store = createWorkspacesStore();
    const gone = makeWorkspace({ name: 'gone' });
    const kept = makeWorkspace({ name: 'kept', state: 'ready' });
    store.getState().upsert(gone);
    store.getState().replaceAll([kept]);
    expect(store.getState().loaded).toBe(true);
    expect(store.getState().list).toEqual([kept]);
  });

  it('times each step from the progress events it sees', () => {
    let now = new Date('2026-11-20T10:00:09.000Z');
    const store = createWorkspacesStore(() => now);
    const id = makeWorkspace().id;
    store.getState().applyProgress(makeProgress(id, { step: 'provision', stepStartedAt: '2026-11-20T10:00:00.000Z' }));
    store.getState().applyProgress(makeProgress(id, { step: 'boot', stepStartedAt: '2026-11-20T10:00:03.000Z' }));
    store.getState().applyProgress(makeProgress(id, { step: 'boot', stepStartedAt: '2026-11-20T10:00:03.000Z', message: 'waiting for the kernel' }));
    expect(runningOperation(store.getState(), id)?.timings).toEqual({
      provision: { startedAt: '2026-11-20T10:00:00.000Z', endedAt: '2026-11-20T10:00:03.000Z' },
      boot: { startedAt: '2026-11-20T10:00:03.000Z', endedAt: null },
    });

    store.getState().applyProgress(makeProgress(id, { step: 'boot', stepStartedAt: '2026-11-20T10:00:03.000Z', done: true, failed: true }));
    const view = store.getState().operations[id]!;
    expect(view.timings.boot).toEqual({ startedAt: '2026-11-20T10:00:03.000Z', endedAt: '2026-11-20T10:00:09.000Z' });
    expect(view.endedAt).toBe('2026-11-20T10:00:09.000Z');
    expect(runningOperation(store.getState(), id)).toBeNull();

    // A new operation starts its own timings.
    now = new Date('2026-11-20T11:00:00.000Z');
    store.getState().applyProgress(makeProgress(id, { operation: 'start', step: 'boot', startedAt: '2026-11-20T10:59:59.000Z', stepStartedAt: '2026-11-20T10:59:59.000Z' }));
    expect(Object.keys(store.getState().operations[id]!.timings)).toEqual(['boot']);
  });

  it('drops running operations a progress snapshot no longer lists', () => {
    const store = createWorkspacesStore();
    const a = makeWorkspace().id;
    const b = makeWorkspace().id;
    store.getState().applyProgress(makeProgress(a));
    store.getState().replaceProgress([makeProgress(b)]);
    expect(runningOperation(store.getState(), a)).toBeNull();
    expect(runningOperation(store.getState(), b)).not.toBeNull();
  });
});
