/** Section "core": the core's own memory with 0, 10 and 50 workspaces known (simulated runtime). */
import type { BenchContext } from './context.js';
import { coreMemory } from './core-memory.js';

export async function measureCoreMemory(ctx: BenchContext): Promise<void> {
  const group = 'Core memory (simulated runtime; a fresh Node process each, after GC)';
  await ctx.eachRun(async () => {
    for (const count of [0, 10, 50]) {
      const memory = await coreMemory(count);
      ctx.figures.add(`core.${count}.rss`, group, `${count} workspaces: process RSS`, 'MiB', memory.rssMiB, count === 0 ? 'Node, tsx and the core’s modules, before any workspace' : undefined);
      ctx.figures.add(`core.${count}.heap`, group, `${count} workspaces: JS heap used`, 'MiB', memory.heapUsedMiB);
    }
  });
}
