import { describe, expect, it } from 'vitest';
import { normaliseIpv4Cidr, softnetFlags, softnetSuidCommand } from './softnet.js';

describe('Softnet flags for a network policy', () => {
  it('isolates by default: --net-softnet and nothing else', () => {
    expect(softnetFlags({ mode: 'isolated' })).toEqual({ args: ['--net-softnet'], notes: [] });
  });

  it('passes an allow-list as one comma-separated --net-softnet-allow', () => {
    expect(softnetFlags({ mode: 'allow-list', allow: ['192.168.1.0/24', '10.8.0.0/16'] }).args).toEqual([
      '--net-softnet',
      '--net-softnet-allow',
      '192.168.1.0/24,10.8.0.0/16',
    ]);
  });

  it('normalises host bits, drops IPv6 (Softnet drops all IPv6) and says so', () => {
    const flags = softnetFlags({ mode: 'allow-list', allow: ['192.168.1.77/24', '2001:db8::/32', '192.168.1.0/24'] });
    expect(flags.args).toEqual(['--net-softnet', '--net-softnet-allow', '192.168.1.0/24']);
    expect(flags.notes).toEqual([
      '192.168.1.77/24 is passed as 192.168.1.0/24.',
      '2001:db8::/32 is left out: Softnet drops all IPv6 traffic, so it cannot be allowed.',
    ]);
  });

  it('never passes exactly 0.0.0.0/0, which would also turn off VM-to-VM isolation', () => {
    expect(softnetFlags({ mode: 'allow-list', allow: ['0.0.0.0/0'] }).args).toEqual([
      '--net-softnet',
      '--net-softnet-allow',
      '0.0.0.0/1,128.0.0.0/1',
    ]);
  });

  it('leaves --net-softnet alone when nothing usable is left', () => {
    expect(softnetFlags({ mode: 'allow-list', allow: ['fd00::/8'] }).args).toEqual(['--net-softnet']);
  });

  it('computes network addresses', () => {
    expect(normaliseIpv4Cidr('10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(normaliseIpv4Cidr('172.31.255.255/12')).toBe('172.16.0.0/12');
    expect(normaliseIpv4Cidr('1.2.3.4/32')).toBe('1.2.3.4/32');
    expect(normaliseIpv4Cidr('256.0.0.0/8')).toBeNull();
    expect(normaliseIpv4Cidr('10.0.0.0/33')).toBeNull();
  });
});

describe('the Softnet set-up command', () => {
  it('is the command Tart itself runs on a terminal', () => {
    expect(softnetSuidCommand('/opt/homebrew/Cellar/softnet/0.19.0/bin/softnet')).toBe(
      'sudo sh -c "chown root /opt/homebrew/Cellar/softnet/0.19.0/bin/softnet && chmod u+s /opt/homebrew/Cellar/softnet/0.19.0/bin/softnet"',
    );
  });

  it('quotes a path with spaces', () => {
    expect(softnetSuidCommand('/Users/a b/softnet')).toBe(`sudo sh -c "chown root '/Users/a b/softnet' && chmod u+s '/Users/a b/softnet'"`);
  });
});
