/** The core's own memory with 0, 10 and 50 workspaces known (simulated runtime, one fresh process each). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const PROBE = fileURLToPath(new URL('./core-memory-probe.ts', import.meta.url));
const MiB = 1048576;

export interface CoreMemory {
  rssMiB: number;
  heapUsedMiB: number;
}

export async function coreMemory(workspaces: number): Promise<CoreMemory> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', PROBE, String(workspaces)], {
    timeout: 120_000,
  });
  const usage = JSON.parse(stdout.trim().split('\n').pop()!) as { count: number; rss: number; heapUsed: number };
  if (usage.count !== workspaces) throw new Error(`the probe core knew ${usage.count} workspaces, not ${workspaces}`);
  return { rssMiB: usage.rss / MiB, heapUsedMiB: usage.heapUsed / MiB };
}
