/** Runs every `e2e/*.e2e.ts` flow in order and prints the closing summary line. */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { runFlows, type Flow } from './harness/runner.js';

const folder = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(folder)
  .filter((file) => file.endsWith('.e2e.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();
const flows: Flow[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(join(folder, file)).href)) as { flows: Flow[] };
  flows.push(...module.flows);
}
const totals = await runFlows(flows);
console.log(`\ne2e: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 ? 1 : 0);
