import { describe, expect, it } from 'vitest';
import { contains, parseCidr } from './cidr.js';
import { allowListAclName, bridgeAclRules, BLOCKED_RANGES, ISOLATION_ACL, type AclRule } from './incus-network.js';

const blocks = (rules: AclRule[], action: AclRule['action']): string[] =>
  rules.filter((rule) => rule.action === action).map((rule) => rule.destination ?? '');

describe('bridge ACL rules', () => {
  it('rejects every private, link-local and CGNAT range, plus the server’s LAN, from every workspace', () => {
    const rules = bridgeAclRules('10.201.77.0/24', [{ workspaceName: 'a', address: '10.201.77.2', allow: [] }], ['192.0.2.0/24']);
    expect([...rules.keys()]).toEqual([ISOLATION_ACL]);
    const isolation = rules.get(ISOLATION_ACL) ?? [];
    expect(blocks(isolation, 'reject')).toEqual([...BLOCKED_RANGES, '192.0.2.0/24']);
    expect(isolation.every((rule) => rule.source === undefined)).toBe(true);
  });

  it('gives an allow-listed workspace its own ACL whose rejects leave its allowed range open', () => {
    // Incus applies reject before allow whatever the order, so no reject may cover the allowed range.
    const rules = bridgeAclRules(
      '10.201.77.0/24',
      [
        { workspaceName: 'a', address: '10.201.77.2', allow: [] },
        { workspaceName: 'b', address: '10.201.77.3', allow: ['192.168.77.0/24'] },
      ],
      [],
    );
    const own = rules.get('tidepool-allow-b') ?? [];
    expect(blocks(own, 'allow')).toEqual(['192.168.77.0/24']);
    const lan = parseCidr('192.168.77.10/32');
    expect(blocks(own, 'reject').some((range) => contains(parseCidr(range), lan))).toBe(false);
    expect(blocks(own, 'reject')).toContain('10.0.0.0/8');
    expect(own.every((rule) => rule.source === '10.201.77.3/32')).toBe(true);
    // The shared rejects skip b's address but still cover every other address on the bridge.
    const shared = (rules.get(ISOLATION_ACL) ?? []).find((rule) => rule.destination === '192.168.0.0/16');
    const sources = (shared?.source ?? '').split(',').map(parseCidr);
    expect(sources.some((source) => contains(source, parseCidr('10.201.77.3/32')))).toBe(false);
    expect(sources.some((source) => contains(source, parseCidr('10.201.77.2/32')))).toBe(true);
    expect(sources.some((source) => contains(source, parseCidr('10.201.77.200/32')))).toBe(true);
  });

  it('keeps an allow-listed workspace without an address under the shared rejects', () => {
    const rules = bridgeAclRules('10.201.77.0/24', [{ workspaceName: 'b', address: null, allow: ['192.168.77.0/24'] }], []);
    expect([...rules.keys()]).toEqual([ISOLATION_ACL]);
    expect((rules.get(ISOLATION_ACL) ?? []).every((rule) => rule.source === undefined)).toBe(true);
  });

  it('names allow-list ACLs within Incus’s 63 characters', () => {
    expect(allowListAclName('web')).toBe('tidepool-allow-web');
    const long = allowListAclName('a'.repeat(63));
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).not.toBe(allowListAclName(`${'a'.repeat(62)}b`));
  });
});
