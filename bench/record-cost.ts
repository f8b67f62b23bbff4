/** Files one workspace's sampled cost under the figures of its state (never opened, or after its IDE was opened). */
import type { BenchContext } from './context.js';
import type { WorkspaceCost } from './workspace-cost.js';

export function recordCost(ctx: BenchContext, state: 'idle' | 'opened', cost: WorkspaceCost): void {
  const opened = state === 'opened';
  const group = opened ? 'Idle cost per workspace, after its IDE was opened once (tab closed)' : 'Idle cost per workspace (ready, IDE never opened)';
  const id = (name: string): string => (opened ? `cost.opened.${name}` : `cost.${name}`);
  const { figures } = ctx;
  figures.add(id('rss'), group, 'memory: RSS (anonymous, cgroup)', 'MiB', cost.idle.rssMiB);
  if (cost.idle.cacheMiB !== null) figures.add(id('cache'), group, 'memory: page cache charged (cgroup)', 'MiB', cost.idle.cacheMiB);
  figures.add(id('total'), group, 'memory: runtime total (incl. page cache)', 'MiB', cost.idle.totalMiB);
  figures.add(id('cpu'), group, `CPU while idle (${Math.round(ctx.options.cpuWindowMs / 1000)} s window)`, '%', cost.idle.cpuPercent, 'share of one host core');
  if (cost.disk) {
    figures.add(id('disk'), group, 'disk: instance on top of the image (CoW)', 'MiB', cost.disk.instanceMiB);
    if (cost.disk.homeMiB !== null) figures.add(id('home'), group, 'disk: home volume', 'MiB', cost.disk.homeMiB);
    figures.add(id('image'), group, 'disk: the shared image', 'MiB', cost.disk.imageMiB);
  }
}
