/**
 * CIDR arithmetic for the network ACLs. Incus orders ACL rules by action (drop, then reject, then allow),
 * not by position, so an allow rule can never punch a hole in a broader reject: the allowed ranges have to
 * be cut out of the rejected ones instead.
 */

export interface Cidr {
  family: 4 | 6;
  /** Network address as an integer, host bits cleared. */
  base: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

export function parseCidr(text: string): Cidr {
  const [address, prefixText, extra] = text.trim().split('/');
  if (address === undefined || extra !== undefined) throw new Error(`not a CIDR range: ${text}`);
  const family: 4 | 6 = address.includes(':') ? 6 : 4;
  const bits = BITS[family];
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(bits)) || prefix > bits) throw new Error(`not a CIDR range: ${text}`);
  const value = family === 4 ? parseIpv4(address, text) : parseIpv6(address, text);
  return { family, base: value & mask(family, prefix), prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${cidr.family === 4 ? formatIpv4(cidr.base) : formatIpv6(cidr.base)}/${cidr.prefix}`;
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.prefix <= inner.prefix && (inner.base & mask(outer.family, outer.prefix)) === outer.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

/** `range` minus every range in `remove`, as the fewest CIDR blocks (in address order). */
export function subtract(range: Cidr, remove: Cidr[]): Cidr[] {
  const hit = remove.find((candidate) => overlaps(range, candidate));
  if (!hit) return [range];
  if (contains(hit, range)) return [];
  // `hit` lies strictly inside `range`: split range in halves and cut from each.
  const prefix = range.prefix + 1;
  const half = 1n << BigInt(BITS[range.family] - prefix);
  const low: Cidr = { family: range.family, base: range.base, prefix };
  const high: Cidr = { family: range.family, base: range.base + half, prefix };
  return [...subtract(low, remove), ...subtract(high, remove)];
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BITS[family];
  const all = (1n << BigInt(bits)) - 1n;
  return prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

function parseIpv4(address: string, original: string): bigint {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) throw new Error(`not a CIDR range: ${original}`);
  return parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n);
}

function parseIpv6(address: string, original: string): bigint {
  const halves = address.split('::');
  if (halves.length > 2) throw new Error(`not a CIDR range: ${original}`);
  const groups = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) throw new Error(`not a CIDR range: ${original}`);
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some((group) => !/^[0-9a-fA-F]{1,4}$/.test(group))) throw new Error(`not a CIDR range: ${original}`);
  return all.reduce((value, group) => (value << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
}

function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, index) => Number((value >> BigInt(112 - 16 * index)) & 0xffffn));
  // Compress the longest run of zero groups (two or more) to "::".
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
