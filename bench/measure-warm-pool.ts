/**
 * Section "warm": create → IDE ready when the workspace takes a started instance from the warm pool
 * (Settings.warmPool, size 1 here), through the same core. The pool is filled before every run and
 * turned off again at the end (which drains it).
 */
import type { BenchContext } from './context.js';
import { createToIde } from './lifecycle.js';
import { recordIdeRun } from './measure-lifecycle.js';
import { StepTimer } from './step-timer.js';

export async function measureWarmPool(ctx: BenchContext): Promise<void> {
  const { core, browser, figures } = ctx;
  const before = core.settings.get().warmPool;
  const timer = new StepTimer(core.events);
  const group = 'Create → IDE ready from the warm pool (size 1), through Tidepool';
  core.warmPool.start();
  try {
    core.settings.update({ warmPool: { size: 1 } });
    await ctx.eachRun(async (run) => {
      const filling = performance.now();
      await core.warmPool.settled();
      const pool = core.warmPool.status();
      if (pool.ready.length === 0) throw new Error(`the warm pool did not fill: ${pool.problem ?? 'no reason given'}`);
      figures.add('warm.refill', group, 'refill: until the pool had an instance again', 'ms', performance.now() - filling, 'in the background, between creates');
      const session = await browser.newContext();
      try {
        const made = await createToIde(core, timer, session, `${ctx.prefix}-w${run}`, ctx.runtime);
        const instanceName = core.workspaces.get(made.workspaceId).instanceName;
        if (!pool.ready.includes(instanceName)) throw new Error(`the workspace did not take the warm instance (it got ${instanceName})`);
        recordIdeRun(ctx, 'warm', group, made);
        figures.add('warm.claim', group, 'claim + configure (create call → ready)', 'ms', made.readyMs);
        ctx.log(`run ${run}: from the warm pool, ready after ${(made.readyMs / 1000).toFixed(2)} s, IDE after ${(made.totalMs / 1000).toFixed(2)} s`);
        await core.workspaces.delete(made.workspaceId);
        await core.workspaces.settled(made.workspaceId);
      } finally {
        await session.close();
      }
    });
  } finally {
    timer.dispose();
    core.settings.update({ warmPool: before });
    await core.warmPool.stop();
  }
}
