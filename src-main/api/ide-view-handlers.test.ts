import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulatedHarness, type Harness } from '../workspaces/test-harness.js';
import { dispatch, type Handlers } from './dispatch.js';
import { createHandlers } from './handlers.js';
import type { IdeViewHost, ViewBounds } from './ide-view-host.js';

let harness: Harness;
let handlers: Handlers;
const bounds: ViewBounds = { x: 240, y: 40, width: 800, height: 600 };

class RecordingHost implements IdeViewHost {
  calls: unknown[][] = [];
  show(workspaceId: string, ideUrl: string, at: ViewBounds): void {
    this.calls.push(['show', workspaceId, ideUrl, at]);
  }
  hideAll(): void {
    this.calls.push(['hideAll']);
  }
  close(workspaceId: string): void {
    this.calls.push(['close', workspaceId]);
  }
}

beforeEach(async () => {
  harness = await simulatedHarness();
  handlers = createHandlers(harness.core);
});
afterEach(async () => {
  await harness.core.workspaces.drain();
  await harness.core.dispose();
});

async function readyWorkspace() {
  const workspace = await harness.core.workspaces.create({ name: 'views' });
  await harness.core.workspaces.settled(workspace.id);
  expect(harness.core.workspaces.get(workspace.id).state).toBe('ready');
  return workspace.id;
}

describe('IDE view methods', () => {
  it('do nothing and succeed without a native view host (the browser shows the IDE in an iframe)', async () => {
    const id = await readyWorkspace();
    expect(await dispatch(handlers, 'showIdeView', { id, bounds })).toEqual({ ok: true, value: null });
    expect(await dispatch(handlers, 'hideIdeViews', {})).toEqual({ ok: true, value: null });
    expect(await dispatch(handlers, 'closeIdeView', { id })).toEqual({ ok: true, value: null });
  });

  it("show the workspace's own loopback IDE URL at the renderer's bounds", async () => {
    const host = new RecordingHost();
    harness.core.ideViews = host;
    const id = await readyWorkspace();
    expect(await dispatch(handlers, 'showIdeView', { id, bounds })).toEqual({ ok: true, value: null });
    const [call] = host.calls;
    expect(call?.[0]).toBe('show');
    expect(call?.[1]).toBe(id);
    expect(new URL(String(call?.[2])).hostname).toBe('127.0.0.1');
    expect(call?.[3]).toEqual(bounds);
    await dispatch(handlers, 'hideIdeViews', {});
    await dispatch(handlers, 'closeIdeView', { id });
    expect(host.calls.slice(1)).toEqual([['hideAll'], ['close', id]]);
  });

  it('refuse a stopped workspace with INVALID_STATE and an unknown one with NOT_FOUND, showing nothing', async () => {
    const host = new RecordingHost();
    harness.core.ideViews = host;
    const id = await readyWorkspace();
    await harness.core.workspaces.stop(id);
    await harness.core.workspaces.settled(id);
    const stopped = await dispatch(handlers, 'showIdeView', { id, bounds });
    expect(stopped.ok ? null : stopped.error.code).toBe('INVALID_STATE');
    const missing = await dispatch(handlers, 'showIdeView', { id: '00000000-0000-4000-8000-000000000000', bounds });
    expect(missing.ok ? null : missing.error.code).toBe('NOT_FOUND');
    expect(host.calls).toEqual([]);
  });

  it('refuse bounds outside the window with INVALID_INPUT', async () => {
    const id = await readyWorkspace();
    const result = await dispatch(handlers, 'showIdeView', { id, bounds: { ...bounds, x: -5 } });
    expect(result.ok ? null : result.error.code).toBe('INVALID_INPUT');
  });
});
