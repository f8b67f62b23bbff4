import { describe, expect, it } from 'vitest';
import { tartEnvironment, tartSearchPath } from './tart-cli.js';

describe("the environment of Tart's children", () => {
  it('has Homebrew on PATH even when the app got the bare GUI PATH', () => {
    expect(tartSearchPath('/usr/bin:/bin:/usr/sbin:/sbin')).toBe('/usr/bin:/bin:/usr/sbin:/sbin:/opt/homebrew/bin:/usr/local/bin');
    expect(tartSearchPath(undefined)).toBe('/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin');
  });

  it('is explicit: plain progress, a fixed TART_HOME only when set, no stray variables', () => {
    const inherited = { HOME: '/Users/a', USER: 'a', TART_HOME: '/elsewhere', SECRET_TOKEN: 'x', PATH: '/usr/bin' };
    expect(tartEnvironment({ basePath: '/usr/bin', tartHome: null, inherited })).toEqual({
      HOME: '/Users/a',
      USER: 'a',
      PATH: '/usr/bin:/opt/homebrew/bin:/usr/local/bin:/bin:/usr/sbin:/sbin',
      CI: '1',
      TART_NO_AUTO_PRUNE: '1',
    });
    expect(tartEnvironment({ basePath: '/usr/bin', tartHome: '/Volumes/VMs/tart', inherited }, false)).toMatchObject({ TART_HOME: '/Volumes/VMs/tart' });
    expect(tartEnvironment({ basePath: '/usr/bin', tartHome: null, inherited }, false)).not.toHaveProperty('TART_NO_AUTO_PRUNE');
  });
});
