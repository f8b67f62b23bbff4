/** What every measurement section gets: the core, the browser, the runtime alone, the options, the figures. */
import type { Browser } from 'playwright-core';
import type { Core } from '../src-main/core.js';
import type { RuntimeId } from '../src-shared/workspace.js';
import type { DirectRuntime } from './direct-runtime.js';
import type { Figures } from './figures.js';
import type { BenchOptions } from './options.js';

export interface BenchContext {
  /** The real core (real runtime, real SSH guest) on a throw-away data folder. */
  core: Core;
  browser: Browser;
  direct: DirectRuntime | null;
  runtime: RuntimeId;
  options: BenchOptions;
  figures: Figures;
  /** Every workspace and instance the bench makes starts with it, so clean-up finds them. */
  prefix: string;
  log(line: string): void;
  /**
   * Runs `body` once per run. A failed run is recorded with its cause, what it made is removed, and the
   * next run goes ahead: on a shared machine one disturbance should not cost the other runs.
   */
  eachRun(body: (run: number) => Promise<void>): Promise<void>;
}
