/** `npm run bench -- [--runtime incus|tart] [--runs N] [--quick] [--only a,b]`: what to measure and how often. */
import { parseArgs } from 'node:util';
import type { RuntimeId } from '../src-shared/workspace.js';

export const SECTIONS = ['lifecycle', 'scale', 'cost', 'warm', 'core', 'ui'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  runtime: Exclude<RuntimeId, 'simulated'> | null;
  runs: number;
  quick: boolean;
  sections: Section[];
  scaleSizes: number[];
  /** Idle time before a workspace's cost is sampled, and the CPU sampling window. */
  settleMs: number;
  cpuWindowMs: number;
  /** Round trips per run for the WebSocket figure. */
  apiCalls: number;
  /** Workspaces in the renderer's list figure. */
  listSize: number;
}

export const USAGE = `Usage: npm run bench -- [options]
  --runtime incus|tart  the runtime to measure (default: the one this host selects)
  --runs N              repetitions of every figure (default 3, at least 1)
  --quick               one fast smoke pass: 1 run, small scale steps, short idle windows
  --only a,b            only these sections: ${SECTIONS.join(', ')}
  --help                this text`;

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      runtime: { type: 'string' },
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (values.runtime !== undefined && values.runtime !== 'incus' && values.runtime !== 'tart') {
    throw new Error(`--runtime must be incus or tart, not “${values.runtime}”.`);
  }
  const quick = values.quick ?? false;
  const runs = values.runs === undefined ? (quick ? 1 : 3) : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, not “${values.runs}”.`);
  const sections = values.only === undefined ? [...SECTIONS] : values.only.split(',').map((entry) => entry.trim());
  const unknown = sections.filter((entry) => !(SECTIONS as readonly string[]).includes(entry));
  if (unknown.length > 0) throw new Error(`Unknown section(s) ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}.`);
  return {
    runtime: values.runtime ?? null,
    runs,
    quick,
    sections: sections as Section[],
    scaleSizes: quick ? [1, 2] : [1, 4, 8],
    settleMs: quick ? 3_000 : 20_000,
    cpuWindowMs: quick ? 3_000 : 10_000,
    apiCalls: quick ? 200 : 1_000,
    listSize: 500,
  };
}
