/**
 * `npm run bench`: Tidepool's speed and cost on the runtime at hand, each figure min / median / max over
 * several runs with the load average beside it. Writes bench/results.json and prints a table with the
 * targets met or missed. See bench/options.ts for the flags.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { createCore, type Core } from '../src-main/core.js';
import { chromiumMissing, launchBrowser } from './browser.js';
import type { DirectRuntime } from './direct-runtime.js';
import { directRuntime } from './direct-runtimes.js';
import { Figures } from './figures.js';
import { describeMachine } from './machine.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import type { BenchContext } from './context.js';
import { measureCoreMemory } from './measure-core-memory.js';
import { measureLifecycle } from './measure-lifecycle.js';
import { measureScaleAndCost } from './measure-scale-cost.js';
import { measureUi } from './measure-ui.js';
import { measureWarmPool } from './measure-warm-pool.js';
import { machineLines, figureLines, targetLines, skippedLines } from './table.js';
import { judge } from './targets.js';

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    const parsed = parseOptions(process.argv.slice(2));
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const figures = new Figures();
  const skipped: { what: string; why: string }[] = [];
  const errors: { section: string; error: string }[] = [];
  const prefix = `bench-${randomBytes(2).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tidepool-bench-'));

  const core = await createCore({ dataDir, ...(options.runtime ? { runtimeOverride: options.runtime } : {}) });
  const status = await core.registry.hostStatus(true);
  const runtimeId = options.runtime ?? (status.selected === 'simulated' ? null : status.selected);
  const runtimeInfo = status.runtimes.find((info) => info.id === runtimeId);
  const runtimeProblem = !runtimeId
    ? 'this host selects no real runtime (install Incus or Tart, or pass --runtime)'
    : !runtimeInfo?.available || !runtimeInfo.setup.every((step) => step.ok)
      ? `${runtimeId} is not ready here: ${runtimeInfo?.setup.find((step) => !step.ok)?.detail ?? 'not available'}`
      : null;
  const direct: DirectRuntime | null = runtimeId && !runtimeProblem ? directRuntime(runtimeId, core.registry.get(runtimeId).defaultImage()) : null;
  const machine = await describeMachine(direct);
  for (const line of machineLines(machine)) console.log(line);
  console.log(`Runs: ${options.runs}${options.quick ? ' (quick)' : ''}; sections: ${options.sections.join(', ')}; names start with ${prefix}`);

  const browserProblem = chromiumMissing();
  let browser: Browser | null = null;
  let interrupted = false;
  const fail = async (what: string, error: unknown): Promise<void> => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    errors.push({ section: what, error: text });
    console.log(`  ${what} failed: ${text.split('\n').slice(0, 6).join('\n  ')}`);
    await cleanUpWorkspaces(core, direct, prefix);
  };
  const context = (section: string): BenchContext => ({
    core,
    browser: browser!,
    direct,
    runtime: runtimeId!,
    options,
    figures,
    prefix,
    log: (line) => console.log(`  ${line}`),
    eachRun: async (body) => {
      for (let run = 1; run <= options.runs && !interrupted; run += 1) {
        try {
          await body(run);
        } catch (error) {
          await fail(`${section}, run ${run}`, error);
        }
      }
    },
  });
  const cleanUp = async (): Promise<void> => {
    await cleanUpWorkspaces(core, direct, prefix);
    await browser?.close().catch(() => undefined);
    await core.dispose();
  };
  const abandon = (why: string, code: number): void => {
    if (interrupted) return;
    interrupted = true;
    console.log(`\n${why}: removing what the bench made…`);
    void cleanUp().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => abandon('Interrupted', 130));
  // Something in the core failed outside any awaited call: say what, and still clean up.
  process.once('unhandledRejection', (reason) => abandon(`Unexpected failure: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`, 1));

  const section = async (name: string, needs: (string | null)[], run: (ctx: BenchContext) => Promise<void>): Promise<void> => {
    if (interrupted) return;
    const why = needs.find((need) => need !== null);
    if (why) {
      skipped.push({ what: name, why });
      return;
    }
    console.log(`\n${name}…`);
    try {
      await run(context(name));
    } catch (error) {
      await fail(name, error);
    }
  };
  try {
    if (!browserProblem) browser = await launchBrowser();
    const wants = (name: BenchOptions['sections'][number]): boolean => options.sections.includes(name);
    const rendererBuilt = existsSync(fileURLToPath(new URL('../out/renderer/index.html', import.meta.url)));
    if (wants('lifecycle')) await section('Lifecycle and overhead', [runtimeProblem, browserProblem], measureLifecycle);
    if (wants('scale') || wants('cost')) await section('Scale and idle cost', [runtimeProblem], measureScaleAndCost);
    if (wants('warm')) await section('Warm pool', [runtimeProblem, browserProblem], measureWarmPool);
    if (wants('core')) await section('Core memory', [], measureCoreMemory);
    if (wants('ui')) {
      await section('UI', [browserProblem, rendererBuilt ? null : 'the web interface is not built: run `npm run build:renderer`'], measureUi);
    }
  } finally {
    if (!interrupted) await cleanUp();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (interrupted) return 130;

  const verdicts = judge(figures);
  const results = { startedAt, finishedAt: new Date().toISOString(), machine, options, figures: figures.all(), targets: verdicts, skipped, errors };
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log('');
  for (const line of machineLines(machine)) console.log(line);
  for (const line of [...figureLines(figures.all()), ...targetLines(verdicts), ...skippedLines(skipped)]) console.log(line);
  if (errors.length > 0) console.log(`\n${errors.length} failure(s): ${errors.map((entry) => entry.section).join('; ')} (details in bench/results.json)`);
  console.log(`\nWrote ${RESULTS}`);
  return errors.length > 0 ? 1 : 0;
}

/** Deletes every workspace this bench's core knows, and any runtime instance left with the run's prefix. */
async function cleanUpWorkspaces(core: Core, direct: DirectRuntime | null, prefix: string): Promise<void> {
  await core.workspaces.drain();
  for (const workspace of core.workspaces.list()) {
    try {
      await core.workspaces.delete(workspace.id);
      await core.workspaces.settled(workspace.id);
    } catch (error) {
      console.log(`  could not delete ${workspace.name}: ${String(error)}`);
    }
  }
  if (!direct) return;
  for (const name of await direct.leftovers(prefix).catch(() => [] as string[])) await direct.remove(name).catch(() => undefined);
  for (const name of await direct.leftovers(`tp-${prefix}`).catch(() => [] as string[])) await direct.remove(name).catch(() => undefined);
}

process.exitCode = await main();
process.exit();
