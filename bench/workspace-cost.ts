/** What idle workspaces cost the host: memory (RSS and the runtime's total), CPU, and disk, sampled together. */
import type { DirectRuntime, DiskCost, IdleCost } from './direct-runtime.js';

export interface WorkspaceCost {
  idle: IdleCost;
  disk: DiskCost | null;
}

/** Samples every instance over the same window, after letting them settle for `settleMs`. */
export async function idleCosts(direct: DirectRuntime, instanceNames: string[], settleMs: number, windowMs: number): Promise<WorkspaceCost[]> {
  if (!direct.idleCost) throw new Error(`the bench cannot read a ${direct.id} workspace's cost`);
  const idleCost = direct.idleCost.bind(direct);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const idle = await Promise.all(instanceNames.map((name) => idleCost(name, windowMs)));
  const disk = await Promise.all(instanceNames.map((name) => (direct.diskCost ? direct.diskCost(name) : Promise.resolve(null))));
  return idle.map((entry, index) => ({ idle: entry, disk: disk[index] ?? null }));
}
