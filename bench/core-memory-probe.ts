/**
 * Child process of the core-memory figure: builds a core that knows N simulated workspaces, collects
 * garbage, and prints its process.memoryUsage() as JSON. Run with `node --expose-gc --import tsx`.
 */
import { simulatedCore } from './simulated-core.js';

const count = Number(process.argv[2] ?? '0');
const core = await simulatedCore(count);
const gc = (globalThis as { gc?: () => void }).gc;
for (let round = 0; round < 3; round += 1) {
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const usage = process.memoryUsage();
process.stdout.write(`${JSON.stringify({ count: core.workspaces.list().length, gc: gc !== undefined, ...usage })}\n`);
await core.dispose();
process.exit(0);
