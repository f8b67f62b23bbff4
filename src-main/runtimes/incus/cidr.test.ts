import { describe, expect, it } from 'vitest';
import { contains, formatCidr, parseCidr, subtract } from './cidr.js';

const size = (text: string): bigint => {
  const cidr = parseCidr(text);
  return 1n << BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
};

describe('CIDR arithmetic', () => {
  it('normalises host bits and formats IPv4 and IPv6', () => {
    expect(formatCidr(parseCidr('192.168.77.10/24'))).toBe('192.168.77.0/24');
    expect(formatCidr(parseCidr('10.1.2.3'))).toBe('10.1.2.3/32');
    expect(formatCidr(parseCidr('fc00::/7'))).toBe('fc00::/7');
    expect(formatCidr(parseCidr('fe80:0:0:0:1:0:0:1/10'))).toBe('fe80::/10');
    expect(formatCidr(parseCidr('2001:db8::1/128'))).toBe('2001:db8::1/128');
  });

  it('refuses text that is not a range', () => {
    for (const bad of ['', '10.0.0/8', '10.0.0.256/8', '10.0.0.0/33', 'fe80::/129', '1:2:3:4:5:6:7:8:9/64', 'x/8']) {
      expect(() => parseCidr(bad), bad).toThrow(/not a CIDR range/);
    }
  });

  it('cuts an allowed /24 out of 192.168.0.0/16, leaving exactly the rest', () => {
    const rest = subtract(parseCidr('192.168.0.0/16'), [parseCidr('192.168.77.0/24')]);
    expect(rest.map(formatCidr)).toContain('192.168.78.0/23');
    expect(rest.some((block) => contains(block, parseCidr('192.168.77.10/32')))).toBe(false);
    const total = rest.reduce((sum, block) => sum + size(formatCidr(block)), 0n);
    expect(total).toBe(65536n - 256n);
    expect(rest).toHaveLength(8);
  });

  it('keeps ranges the removal does not touch and drops ranges it covers', () => {
    expect(subtract(parseCidr('10.0.0.0/8'), [parseCidr('192.168.0.0/16')]).map(formatCidr)).toEqual(['10.0.0.0/8']);
    expect(subtract(parseCidr('10.77.0.0/16'), [parseCidr('10.0.0.0/8')])).toEqual([]);
    expect(subtract(parseCidr('fc00::/7'), [parseCidr('10.0.0.0/8')]).map(formatCidr)).toEqual(['fc00::/7']);
  });
});
