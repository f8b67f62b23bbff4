/**
 * Incus network and network-ACL endpoints, and Tidepool's isolation built on them: a managed NAT bridge
 * (`tidepoolbr0`) whose ACLs reject egress to private, link-local, carrier-grade NAT and the server's own
 * LAN ranges while everything public stays reachable. Incus evaluates ACL rules by action priority
 * (drop, then reject, then allow), never by position, so an allow-list cannot be an allow rule beside the
 * shared rejects: the allowed ranges are cut out of that workspace's rejects (cidr.ts) and the workspace's
 * address is exempted from the shared ones. DHCP and DNS to the bridge gateway keep working because Incus
 * adds those baseline rules before any ACL.
 */
import { createHash } from 'node:crypto';
import { TidepoolError } from '../../../src-shared/errors.js';
import { formatCidr, parseCidr, subtract, type Cidr } from './cidr.js';
import type { IncusClient } from './incus-client.js';

export const TIDEPOOL_BRIDGE = 'tidepoolbr0';
export const ISOLATION_ACL = 'tidepool-isolation';
const ALLOW_ACL_PREFIX = 'tidepool-allow-';

/** Never reachable from a workspace unless the user allow-lists them. */
export const BLOCKED_RANGES = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
] as const;

export interface IncusNetwork {
  name: string;
  type: string;
  managed: boolean;
  config: Record<string, string>;
  status?: string;
}

export interface IncusNetworkState {
  addresses: { family: 'inet' | 'inet6'; address: string; netmask: string; scope: string }[];
  state: string;
  type: string;
}

export interface AclRule {
  action: 'allow' | 'reject' | 'drop' | 'allow-stateless';
  state: 'enabled' | 'disabled' | 'logged';
  description?: string;
  source?: string;
  destination?: string;
  protocol?: string;
  source_port?: string;
  destination_port?: string;
  icmp_type?: string;
  icmp_code?: string;
}

export interface IncusNetworkAcl {
  name: string;
  description: string;
  egress: AclRule[];
  ingress: AclRule[];
  config: Record<string, string>;
  used_by?: string[];
}

const networkPath = (name: string): string => `/1.0/networks/${encodeURIComponent(name)}`;
const aclPath = (name: string): string => `/1.0/network-acls/${encodeURIComponent(name)}`;

// ---- endpoints ----------------------------------------------------------------------------------

export async function getNetworks(client: IncusClient): Promise<IncusNetwork[]> {
  return (await client.query<IncusNetwork[]>('GET', '/1.0/networks?recursion=1', { action: 'list networks' })).metadata;
}

export async function getNetwork(client: IncusClient, name: string): Promise<IncusNetwork> {
  return (await client.query<IncusNetwork>('GET', networkPath(name), { action: `read the network ${name}` })).metadata;
}

export async function getNetworkState(client: IncusClient, name: string): Promise<IncusNetworkState> {
  return (await client.query<IncusNetworkState>('GET', `${networkPath(name)}/state`, { action: `read the state of the network ${name}` })).metadata;
}

export async function createNetwork(client: IncusClient, network: { name: string; type: string; config: Record<string, string>; description?: string }): Promise<void> {
  await client.query('POST', '/1.0/networks', { body: network, action: `create the network ${network.name}` });
}

export async function updateNetworkPatch(client: IncusClient, name: string, config: Record<string, string>): Promise<void> {
  await client.query('PATCH', networkPath(name), { body: { config }, action: `update the network ${name}` });
}

export async function getNetworkAcls(client: IncusClient): Promise<IncusNetworkAcl[]> {
  return (await client.query<IncusNetworkAcl[]>('GET', '/1.0/network-acls?recursion=1', { action: 'list network ACLs' })).metadata;
}

export async function getNetworkAcl(client: IncusClient, name: string): Promise<{ acl: IncusNetworkAcl; etag: string | null }> {
  const reply = await client.query<IncusNetworkAcl>('GET', aclPath(name), { action: `read the network ACL ${name}` });
  return { acl: reply.metadata, etag: reply.etag };
}

export async function createNetworkAcl(client: IncusClient, acl: Omit<IncusNetworkAcl, 'used_by'>): Promise<void> {
  await client.query('POST', '/1.0/network-acls', { body: acl, action: `create the network ACL ${acl.name}` });
}

export async function updateNetworkAcl(client: IncusClient, name: string, acl: Omit<IncusNetworkAcl, 'name' | 'used_by'>, etag?: string): Promise<void> {
  await client.query('PUT', aclPath(name), { body: acl, action: `update the network ACL ${name}`, ...(etag ? { etag } : {}) });
}

export async function deleteNetworkAcl(client: IncusClient, name: string): Promise<void> {
  await client.query('DELETE', aclPath(name), { action: `delete the network ACL ${name}` });
}

// ---- Tidepool's isolation -----------------------------------------------------------------------

/** The workspace bridge, created (IPv4 NAT, a free private /24 Incus picks, no IPv6) when absent. */
export async function ensureBridge(client: IncusClient, name = TIDEPOOL_BRIDGE): Promise<IncusNetwork> {
  try {
    const network = await getNetwork(client, name);
    if (!network.managed || network.type !== 'bridge') {
      throw new TidepoolError({
        code: 'RUNTIME_NOT_SET_UP',
        message: `The network ${name} on ${client.describe()} is not an Incus-managed bridge.`,
        hint: `Remove or rename that interface, then run \`sudo scripts/setup-incus.sh\`.`,
      });
    }
    return network;
  } catch (error) {
    if (!(error instanceof TidepoolError) || error.code !== 'NOT_FOUND') throw error;
  }
  try {
    await createNetwork(client, {
      name,
      type: 'bridge',
      description: 'Tidepool workspaces (NAT, IPv4 only)',
      config: { 'ipv4.address': 'auto', 'ipv4.nat': 'true', 'ipv6.address': 'none' },
    });
  } catch (error) {
    // Another create won the race: fine, it is there now.
    if (!(error instanceof TidepoolError) || error.code !== 'ALREADY_EXISTS') throw error;
  }
  return getNetwork(client, name);
}

/**
 * Subnets the server itself sits in on its other interfaces (its LAN, even when that LAN uses public
 * addresses), read from the server's unmanaged networks. The Tidepool bridge is left out.
 */
export async function serverLanRanges(client: IncusClient, bridge = TIDEPOOL_BRIDGE): Promise<string[]> {
  const networks = await getNetworks(client);
  const ranges = new Set<string>();
  for (const network of networks) {
    if (network.managed || network.name === bridge || network.type === 'loopback') continue;
    const state = await getNetworkState(client, network.name).catch(() => null);
    for (const address of state?.addresses ?? []) {
      if (address.scope !== 'global') continue;
      try {
        ranges.add(formatCidr(parseCidr(`${address.address}/${address.netmask}`)));
      } catch {
        // An address Incus reports in a form we do not parse: it is not a LAN range we can reject.
      }
    }
  }
  return [...ranges];
}

export interface WorkspaceNetwork {
  workspaceName: string;
  /** The workspace's IPv4 on the bridge, once it has one. */
  address: string | null;
  /** Ranges the user allowed for this workspace (allow-list mode); empty when isolated. */
  allow: string[];
}

/**
 * The rules of every Tidepool ACL on the bridge. Workspaces are told apart by their address (NIC
 * `security.ipv4_filtering` stops a guest from using another one):
 *   tidepool-isolation     rejects the blocked ranges from every address except allow-listed workspaces'
 *   tidepool-allow-<name>  for one allow-listed workspace: allows its ranges, rejects the rest
 * A workspace without an address yet is covered by tidepool-isolation, so it starts fully isolated.
 */
export function bridgeAclRules(bridgeSubnet: string, workspaces: WorkspaceNetwork[], lanRanges: string[]): Map<string, AclRule[]> {
  const blocked = uniqueCidrs([...BLOCKED_RANGES, ...lanRanges].map(parseCidr));
  const listed = workspaces.filter((workspace) => workspace.allow.length > 0 && workspace.address);
  const exempt = listed.map((workspace) => parseCidr(`${workspace.address}/32`));
  const isolatedSources = exempt.length === 0 ? null : subtract(parseCidr(bridgeSubnet), exempt).map(formatCidr);
  const rules = new Map<string, AclRule[]>();
  rules.set(
    ISOLATION_ACL,
    blocked.map((range) => ({
      action: 'reject',
      state: 'enabled',
      destination: formatCidr(range),
      // IPv4 sources cannot qualify IPv6 rules; the bridge is IPv4-only, so IPv6 ranges stay rejected for all.
      ...(isolatedSources && range.family === 4 ? { source: isolatedSources.join(',') } : {}),
      description: 'private, link-local or host LAN range',
    })),
  );
  for (const workspace of listed) {
    const source = `${workspace.address}/32`;
    const allowed = workspace.allow.map(parseCidr).filter((range) => range.family === 4);
    rules.set(allowListAclName(workspace.workspaceName), [
      ...allowed.map<AclRule>((range) => ({ action: 'allow', state: 'enabled', source, destination: formatCidr(range), description: `allowed for ${workspace.workspaceName}` })),
      ...blocked
        .filter((range) => range.family === 4)
        .flatMap((range) => subtract(range, allowed))
        .map<AclRule>((range) => ({ action: 'reject', state: 'enabled', source, destination: formatCidr(range), description: `blocked for ${workspace.workspaceName}` })),
    ]);
  }
  return rules;
}

/**
 * Brings the bridge's ACLs in line with the workspaces: writes every rule set, attaches them to the
 * bridge (network-level ACLs are enforced in the host's inet table, which needs no bridge conntrack or
 * bridge reject support in the kernel), and removes allow-list ACLs nobody needs any more.
 */
export async function syncBridgeAcls(client: IncusClient, bridge: string, workspaces: WorkspaceNetwork[], lanRanges: string[]): Promise<void> {
  const network = await getNetwork(client, bridge);
  const subnet = network.config['ipv4.address'];
  if (!subnet || subnet === 'none') {
    throw new TidepoolError({
      code: 'RUNTIME_NOT_SET_UP',
      message: `The workspace network ${bridge} has no IPv4 subnet.`,
      hint: `Delete it (incus network delete ${bridge}) and run \`sudo scripts/setup-incus.sh\`.`,
    });
  }
  const rules = bridgeAclRules(formatCidr(parseCidr(subnet)), workspaces, lanRanges);
  for (const [name, egress] of rules) {
    await ensureAcl(client, name, name === ISOLATION_ACL ? ISOLATION_DESCRIPTION : 'Tidepool: allow-list of one workspace', egress);
  }
  const wanted = [...rules.keys()].sort((a, b) => (a === ISOLATION_ACL ? -1 : b === ISOLATION_ACL ? 1 : a.localeCompare(b)));
  const config = {
    'security.acls': wanted.join(','),
    'security.acls.default.egress.action': 'allow',
    'security.acls.default.ingress.action': 'allow',
  };
  if (Object.entries(config).some(([key, value]) => network.config[key] !== value)) {
    await updateNetworkPatch(client, bridge, config);
  }
  const acls = await getNetworkAcls(client);
  for (const acl of acls) {
    if (acl.name.startsWith(ALLOW_ACL_PREFIX) && !rules.has(acl.name)) await deleteNetworkAcl(client, acl.name).catch(() => undefined);
  }
}

const ISOLATION_DESCRIPTION = 'Tidepool: workspaces reach the internet, never the LAN or the host';

/** `tidepool-allow-<name>`, shortened with a hash when the name would pass Incus's 63 characters. */
export function allowListAclName(workspaceName: string): string {
  const name = `${ALLOW_ACL_PREFIX}${workspaceName}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(workspaceName).digest('hex').slice(0, 8);
  return `${name.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** Idempotent create-or-update; only writes when the rules differ. */
export async function ensureAcl(client: IncusClient, name: string, description: string, egress: AclRule[]): Promise<void> {
  const wanted = { description, egress, ingress: [] as AclRule[], config: {} as Record<string, string> };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let current: { acl: IncusNetworkAcl; etag: string | null } | null = null;
    try {
      current = await getNetworkAcl(client, name);
    } catch (error) {
      if (!(error instanceof TidepoolError) || error.code !== 'NOT_FOUND') throw error;
    }
    try {
      if (!current) {
        await createNetworkAcl(client, { name, ...wanted });
      } else if (!sameRules(current.acl.egress, egress) || current.acl.ingress.length > 0 || current.acl.description !== description) {
        await updateNetworkAcl(client, name, { ...wanted, config: current.acl.config }, current.etag ?? undefined);
      }
      return;
    } catch (error) {
      // A concurrent create or update: read again and retry.
      if (!(error instanceof TidepoolError) || (error.code !== 'ALREADY_EXISTS' && error.code !== 'BUSY')) throw error;
    }
  }
  throw new TidepoolError({ code: 'BUSY', message: `The network ACL ${name} kept changing while Tidepool updated it; try again.` });
}

/** The workspace NIC on the bridge: no traffic to other workspaces, no address or MAC spoofing. */
export function workspaceNic(bridge: string): Record<string, string> {
  return {
    type: 'nic',
    name: 'eth0',
    network: bridge,
    'security.port_isolation': 'true',
    'security.ipv4_filtering': 'true',
    'security.mac_filtering': 'true',
  };
}

function uniqueCidrs(ranges: Cidr[]): Cidr[] {
  // Drop ranges inside another one, so the rule list stays short and stable.
  return ranges.filter(
    (range, index) =>
      !ranges.some(
        (other, otherIndex) =>
          otherIndex !== index &&
          other.family === range.family &&
          other.prefix <= range.prefix &&
          subtract(range, [other]).length === 0 &&
          (other.prefix < range.prefix || otherIndex < index),
      ),
  );
}

function sameRules(a: AclRule[], b: AclRule[]): boolean {
  const key = (rule: AclRule): string =>
    [rule.action, rule.state, rule.destination ?? '', rule.source ?? '', rule.protocol ?? '', rule.destination_port ?? '', rule.description ?? ''].join('|');
  return a.length === b.length && a.every((rule, index) => key(rule) === key(b[index] as AclRule));
}
