/**
 * Tidepool's own lifecycle, timed through the real core: create → IDE ready, start → IDE ready, stop and
 * delete. "IDE ready" ends when the VS Code workbench has loaded in Chromium through the workspace's tunnel,
 * in the browser context given: the caller keeps one per workspace, as the app keeps its session's cache.
 */
import type { BrowserContext } from 'playwright-core';
import type { Core } from '../src-main/core.js';
import type { OperationStep, Workspace } from '../src-shared/workspace.js';
import { loadWorkbench } from './browser.js';
import type { StepTimer } from './step-timer.js';

export interface IdeRun {
  workspaceId: string;
  /** Validation and runtime checks before the first step. */
  requestMs: number;
  steps: Partial<Record<OperationStep, number>>;
  /** Until the core reported the workspace ready (code-server answering through the tunnel). */
  readyMs: number;
  /** From ready until the workbench element was in the page (includes the open call). */
  workbenchMs: number;
  totalMs: number;
}

function failure(workspace: Workspace, what: string): Error {
  const cause = workspace.lastError ? `${workspace.lastError.message}${workspace.lastError.detail ? ` (${workspace.lastError.detail})` : ''}` : workspace.state;
  return new Error(`${what} of ${workspace.name} did not reach ready: ${cause}`);
}

async function openWorkbench(core: Core, browser: BrowserContext, id: string): Promise<number> {
  const started = performance.now();
  const { ideUrl } = await core.workspaces.open(id);
  await loadWorkbench(browser, ideUrl);
  return performance.now() - started;
}

/** Creates a workspace and waits until the core says it is ready; no browser. */
export async function createToReady(core: Core, timer: StepTimer, name: string, runtime: Workspace['runtime']): Promise<{ id: string; calledAt: number }> {
  const calledAt = performance.now();
  const workspace = await core.workspaces.create({ name, runtime });
  await core.workspaces.settled(workspace.id);
  const after = core.workspaces.get(workspace.id);
  if (after.state !== 'ready') throw failure(after, 'create');
  timer.times(workspace.id, calledAt);
  return { id: workspace.id, calledAt };
}

export async function createToIde(core: Core, timer: StepTimer, browser: BrowserContext, name: string, runtime: Workspace['runtime']): Promise<IdeRun> {
  const { id, calledAt } = await createToReady(core, timer, name, runtime);
  const times = timer.times(id, calledAt);
  const workbenchMs = await openWorkbench(core, browser, id);
  return { workspaceId: id, requestMs: times.requestMs, steps: times.steps, readyMs: times.totalMs, workbenchMs, totalMs: times.totalMs + workbenchMs };
}

export async function startToIde(core: Core, timer: StepTimer, browser: BrowserContext, id: string): Promise<IdeRun> {
  timer.reset(id);
  const calledAt = performance.now();
  await core.workspaces.start(id);
  await core.workspaces.settled(id);
  const after = core.workspaces.get(id);
  if (after.state !== 'ready') throw failure(after, 'start');
  const times = timer.times(id, calledAt);
  const workbenchMs = await openWorkbench(core, browser, id);
  return { workspaceId: id, requestMs: times.requestMs, steps: times.steps, readyMs: times.totalMs, workbenchMs, totalMs: times.totalMs + workbenchMs };
}

/** Milliseconds until the operation finished (stop, or delete: the record is gone). */
export async function timed(core: Core, id: string, operation: 'stop' | 'delete'): Promise<number> {
  const started = performance.now();
  if (operation === 'stop') await core.workspaces.stop(id);
  else await core.workspaces.delete(id);
  await core.workspaces.settled(id);
  const ms = performance.now() - started;
  if (operation === 'stop' && core.workspaces.get(id).state !== 'stopped') throw failure(core.workspaces.get(id), 'stop');
  if (operation === 'delete' && core.workspaces.list().some((workspace) => workspace.id === id)) throw failure(core.workspaces.get(id), 'delete');
  return ms;
}
