/**
 * A small runner for end-to-end flows: each flow is a list of steps run in order; after a failed step the
 * rest of its flow is skipped (it depends on it). A flow whose prerequisites are missing is skipped with
 * the reason printed. Ends with one line `e2e: N passed, N failed, N skipped`.
 */

export interface Step {
  name: string;
  run(): Promise<void>;
}

export interface Flow {
  name: string;
  /** Null when the flow can run; otherwise why not (printed, and its steps count as skipped). */
  prerequisites(): Promise<string | null>;
  setUp?(): Promise<void>;
  steps: Step[];
  /** Called after a step fails, before anything else runs (e.g. a screenshot of what was on screen). */
  onFailure?(step: string): Promise<void>;
  /** Always runs, even after a failure (clean-up of what the flow made). */
  tearDown?(): Promise<void>;
}

export interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

const STEP_TIMEOUT_MS = 10 * 60_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
    }),
  ]);
}

export async function runFlows(flows: Flow[], log: (line: string) => void = console.log): Promise<Totals> {
  const totals: Totals = { passed: 0, failed: 0, skipped: 0 };
  for (const flow of flows) {
    log(`\n${flow.name}`);
    const missing = await flow.prerequisites().catch((error: unknown) => `could not check prerequisites: ${String(error)}`);
    if (missing) {
      log(`  SKIPPED: ${missing}`);
      totals.skipped += flow.steps.length;
      continue;
    }
    let failedAt: string | null = null;
    try {
      if (flow.setUp) await withTimeout(flow.setUp(), STEP_TIMEOUT_MS, 'set-up');
    } catch (error) {
      failedAt = 'set-up';
      totals.failed += 1;
      log(`  ✗ set-up\n${indent(error)}`);
    }
    for (const step of flow.steps) {
      if (failedAt) {
        totals.skipped += 1;
        log(`  - ${step.name} (skipped: “${failedAt}” failed)`);
        continue;
      }
      const started = Date.now();
      try {
        await withTimeout(step.run(), STEP_TIMEOUT_MS, step.name);
        totals.passed += 1;
        log(`  ✓ ${step.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (error) {
        totals.failed += 1;
        failedAt = step.name;
        log(`  ✗ ${step.name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n${indent(error)}`);
        await flow.onFailure?.(step.name).catch(() => undefined);
      }
    }
    if (flow.tearDown) {
      await flow.tearDown().catch((error: unknown) => log(`  ! tear-down: ${String(error)}`));
    }
  }
  return totals;
}

function indent(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return text
    .split('\n')
    .slice(0, 12)
    .map((line) => `      ${line}`)
    .join('\n');
}
