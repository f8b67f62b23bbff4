import { describe, expect, it } from 'vitest';
import { Figures } from './figures.js';
import { judge } from './targets.js';

describe('bench targets', () => {
  it('judges each target on the median and leaves unmeasured ones open', () => {
    const figures = new Figures();
    for (const ms of [2500, 4000, 2900]) figures.add('create.total', 'g', 'create', 'ms', ms);
    for (const ms of [2500, 2100, 2600]) figures.add('start.total', 'g', 'start', 'ms', ms);
    const verdicts = judge(figures);
    expect(verdicts.find((verdict) => verdict.target.figure === 'create.total')).toMatchObject({ median: 2900, met: true });
    expect(verdicts.find((verdict) => verdict.target.figure === 'start.total')).toMatchObject({ median: 2500, met: false });
    expect(verdicts.find((verdict) => verdict.target.figure === 'overhead.ratio')).toMatchObject({ median: null, met: null });
  });

  it('keeps the load average beside every sample', () => {
    const figures = new Figures();
    figures.add('x', 'g', 'x', 'ms', 1);
    figures.add('x', 'g', 'x', 'ms', 2);
    expect(figures.get('x')?.loads).toHaveLength(2);
  });
});
