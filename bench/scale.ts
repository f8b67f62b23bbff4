/**
 * N workspaces created at once through the core: the time until the last is ready, each one's own time,
 * and how responsive the core stayed meanwhile (its event-loop delay). Ready means the core reported the
 * IDE answering; no workbench is loaded here (N Chromium tabs would measure Chromium, not Tidepool).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Core } from '../src-main/core.js';
import type { RuntimeId } from '../src-shared/workspace.js';
import { createToReady } from './lifecycle.js';
import type { StepTimer } from './step-timer.js';

export interface ScaleRun {
  ids: string[];
  totalMs: number;
  perWorkspaceMs: number[];
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

export async function createConcurrently(core: Core, timer: StepTimer, names: string[], runtime: RuntimeId): Promise<ScaleRun> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  const settled = await Promise.allSettled(
    names.map(async (name) => {
      const { id, calledAt } = await createToReady(core, timer, name, runtime);
      return { id, ms: timer.times(id, calledAt).totalMs };
    }),
  );
  const totalMs = performance.now() - started;
  loop.disable();
  const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const done = settled.map((outcome) => (outcome as PromiseFulfilledResult<{ id: string; ms: number }>).value);
  return {
    ids: done.map((entry) => entry.id),
    totalMs,
    perWorkspaceMs: done.map((entry) => entry.ms),
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
  };
}
