import { describe, expect, it } from 'vitest';
import { percentile, summarise } from './stats.js';

describe('bench stats', () => {
  it('summarises min, median and max, whatever the order of the samples', () => {
    expect(summarise([3, 1, 2])).toEqual({ n: 3, min: 1, median: 2, max: 3 });
    expect(summarise([4, 1, 3, 2])).toEqual({ n: 4, min: 1, median: 2.5, max: 4 });
    expect(summarise([7])).toEqual({ n: 1, min: 7, median: 7, max: 7 });
  });

  it('has no summary without samples', () => {
    expect(summarise([])).toBeNull();
  });

  it('interpolates percentiles between ranks', () => {
    const samples = Array.from({ length: 101 }, (_, index) => 100 - index);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile([1, 2], 50)).toBe(1.5);
    expect(() => percentile([], 50)).toThrow();
  });
});
