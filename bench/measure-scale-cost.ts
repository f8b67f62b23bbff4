/**
 * Section "scale" (N workspaces created at once, per run and per N) and "cost" (what each idle workspace
 * costs, sampled on the workspaces of one scale step: ready, IDE never opened, left idle first).
 */
import type { BenchContext } from './context.js';
import { recordCost } from './record-cost.js';
import { createConcurrently } from './scale.js';
import { StepTimer } from './step-timer.js';
import { idleCosts } from './workspace-cost.js';

export async function measureScaleAndCost(ctx: BenchContext): Promise<void> {
  const { core, direct, figures, options } = ctx;
  const wantsScale = options.sections.includes('scale');
  const wantsCost = options.sections.includes('cost') && direct?.idleCost !== undefined;
  const sizes = wantsScale ? options.scaleSizes : [2];
  // Cost is sampled on the largest step of at most 4 workspaces: enough samples, little memory pressure.
  const costSize = Math.max(...sizes.filter((size) => size <= 4));
  const timer = new StepTimer(core.events);
  try {
    await ctx.eachRun(async (run) => {
      for (const size of sizes) {
        const names = Array.from({ length: size }, (_, index) => `${ctx.prefix}-s${run}n${size}w${index}`);
        const outcome = await createConcurrently(core, timer, names, ctx.runtime);
        if (wantsScale) {
          const group = `Scale: ${size} workspace${size === 1 ? '' : 's'} created at once (until ready, no browser)`;
          figures.add(`scale.${size}.total`, group, 'until the last is ready', 'ms', outcome.totalMs);
          for (const ms of outcome.perWorkspaceMs) figures.add(`scale.${size}.each`, group, 'each workspace (create → ready)', 'ms', ms);
          figures.add(`scale.${size}.loopP99`, group, 'core event-loop delay p99', 'ms', outcome.loopDelayP99Ms);
          figures.add(`scale.${size}.loopMax`, group, 'core event-loop delay max', 'ms', outcome.loopDelayMaxMs);
          ctx.log(`run ${run}: ${size} at once ready in ${(outcome.totalMs / 1000).toFixed(2)} s (event loop max ${outcome.loopDelayMaxMs.toFixed(0)} ms)`);
        }
        if (wantsCost && direct && size === costSize) {
          const instances = outcome.ids.map((id) => core.workspaces.get(id).instanceName);
          for (const cost of await idleCosts(direct, instances, options.settleMs, options.cpuWindowMs)) recordCost(ctx, 'idle', cost);
          ctx.log(`run ${run}: sampled the idle cost of ${instances.length} workspace(s)`);
        }
        const deleting = performance.now();
        await Promise.all(outcome.ids.map((id) => core.workspaces.delete(id)));
        await Promise.all(outcome.ids.map((id) => core.workspaces.settled(id)));
        const left = outcome.ids.filter((id) => core.workspaces.list().some((workspace) => workspace.id === id));
        if (left.length > 0) throw new Error(`${left.length} workspace(s) were not deleted: ${left.map((id) => core.workspaces.get(id).lastError?.message).join('; ')}`);
        if (wantsScale) figures.add(`scale.${size}.delete`, `Scale: ${size} workspace${size === 1 ? '' : 's'} created at once (until ready, no browser)`, 'delete them all at once (running → gone)', 'ms', performance.now() - deleting);
      }
    });
  } finally {
    timer.dispose();
  }
}
