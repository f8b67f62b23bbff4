import { describe, expect, it } from 'vitest';
import { parseOptions, SECTIONS } from './options.js';

describe('bench options', () => {
  it('defaults to three runs of everything on the host’s runtime', () => {
    expect(parseOptions([])).toMatchObject({ runtime: null, runs: 3, quick: false, sections: [...SECTIONS], scaleSizes: [1, 4, 8] });
  });

  it('makes --quick one short pass, and lets --runs override it', () => {
    expect(parseOptions(['--quick'])).toMatchObject({ runs: 1, quick: true, scaleSizes: [1, 2], cpuWindowMs: 3_000 });
    expect(parseOptions(['--quick', '--runs', '2'])).toMatchObject({ runs: 2, quick: true });
  });

  it('takes a runtime and a list of sections', () => {
    expect(parseOptions(['--runtime', 'tart', '--only', 'ui, core'])).toMatchObject({ runtime: 'tart', sections: ['ui', 'core'] });
  });

  it('refuses bad values with a sentence that names them', () => {
    expect(() => parseOptions(['--runs', '0'])).toThrow(/--runs must be a whole number of at least 1/);
    expect(() => parseOptions(['--runs', 'two'])).toThrow(/“two”/);
    expect(() => parseOptions(['--runtime', 'docker'])).toThrow(/--runtime must be incus or tart/);
    expect(() => parseOptions(['--only', 'lifecycle,speed'])).toThrow(/Unknown section\(s\) speed/);
    expect(() => parseOptions(['--fast'])).toThrow();
  });

  it('answers --help', () => {
    expect(parseOptions(['--help'])).toBe('help');
  });
});
