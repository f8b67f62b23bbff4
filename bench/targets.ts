/** The figures Tidepool promises, checked against a run's medians. */
import type { Figures } from './figures.js';

export interface Target {
  figure: string;
  label: string;
  /** The median must be at most this (in the figure's unit). */
  atMost: number;
  unit: string;
}

export const TARGETS: Target[] = [
  { figure: 'create.total', label: 'create → IDE ready (median)', atMost: 3000, unit: 'ms' },
  { figure: 'start.total', label: 'start → IDE ready (median)', atMost: 2000, unit: 'ms' },
  { figure: 'overhead.ratio', label: 'overhead Tidepool / runtime alone (median)', atMost: 1.15, unit: 'ratio' },
  { figure: 'warm.total', label: 'create → IDE ready from the warm pool (median)', atMost: 3000, unit: 'ms' },
  { figure: 'warm.claim', label: 'warm pool: claim + configure (median)', atMost: 1000, unit: 'ms' },
  { figure: 'cost.rss', label: 'idle workspace RSS, IDE never opened (median)', atMost: 130, unit: 'MiB' },
  { figure: 'cost.opened.rss', label: 'idle workspace RSS, after its IDE was opened (median)', atMost: 130, unit: 'MiB' },
];

export interface Verdict {
  target: Target;
  median: number | null;
  met: boolean | null;
}

export function judge(figures: Figures): Verdict[] {
  return TARGETS.map((target) => {
    const median = figures.get(target.figure)?.summary?.median ?? null;
    return { target, median, met: median === null ? null : median <= target.atMost };
  });
}
