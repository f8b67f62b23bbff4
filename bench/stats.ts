/** Summaries of repeated measurements: min / median / max, and percentiles for latency series. */

export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
}

export function summarise(samples: readonly number[]): Summary | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, min: sorted[0]!, median: percentileOfSorted(sorted, 50), max: sorted[sorted.length - 1]! };
}

/** Percentile by linear interpolation between closest ranks (p in 0–100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  return percentileOfSorted([...samples].sort((a, b) => a - b), p);
}

function percentileOfSorted(sorted: readonly number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}
