import { describe, expect, it } from 'vitest';
import { isOlderThan, parseTartVersion } from './tart-version.js';

describe('Tart versions', () => {
  it('reads release, described and development builds', () => {
    expect(parseTartVersion('2.35.0\n')).toEqual({ raw: '2.35.0', parts: [2, 35, 0] });
    expect(parseTartVersion('2.35.0-8-g16d186c').parts).toEqual([2, 35, 0]);
    expect(parseTartVersion('SNAPSHOT')).toEqual({ raw: 'SNAPSHOT', parts: null });
  });

  it('needs 2.30.0 or later, the first with --net-softnet-block', () => {
    expect(isOlderThan(parseTartVersion('2.29.9'))).toBe(true);
    expect(isOlderThan(parseTartVersion('1.99.0'))).toBe(true);
    expect(isOlderThan(parseTartVersion('2.30.0'))).toBe(false);
    expect(isOlderThan(parseTartVersion('2.32.1'))).toBe(false);
    expect(isOlderThan(parseTartVersion('3.0.0'))).toBe(false);
    expect(isOlderThan(parseTartVersion('SNAPSHOT'))).toBe(false);
  });
});
