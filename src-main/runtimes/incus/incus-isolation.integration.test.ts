/**
 * Network isolation, proven with hosts this test creates: a stand-in LAN host (192.168.77.10 and
 * 10.77.0.10) and a stand-in internet host (198.51.100.10), each in its own network namespace behind a
 * veth, reached through /32 routes only. A workspace reaches the internet (NAT'd) but not the LAN, the
 * host, or another workspace; root in the guest cannot undo that; an allow-list opens exactly its range.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../../util/abort.js';
import { contains, parseCidr } from './cidr.js';
import { getNetwork, getNetworkAcls } from './incus-network.js';
import type { IncusRuntime } from './incus-runtime.js';
import { guestSh, incusUnavailableReason, localRuntime, quietContext, removeQuietly, specFor, testName } from './integration-support.js';

const LAN_HOSTS = ['192.168.77.10', '10.77.0.10'];
const INET_HOST = '198.51.100.10';
const HOST_SIDE = { lan: '198.51.100.2', inet: '198.51.100.1' };
const PORT = 8080;
const tag = process.pid.toString(36).slice(-5);
const NS = { lan: `tpl${tag}`, inet: `tpi${tag}` };

/** Refuses to run if this machine already routes any address the stand-ins would take over. */
function clashingRoute(): string | null {
  const wanted = [...LAN_HOSTS, INET_HOST, HOST_SIDE.lan, HOST_SIDE.inet].map((address) => parseCidr(`${address}/32`));
  const routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).split('\n');
  for (const line of routes) {
    const words = line.trim().split(/\s+/);
    const prefix = ['local', 'broadcast', 'unreachable', 'blackhole', 'prohibit', 'throw'].includes(words[0] ?? '') ? words[1] : words[0];
    if (!prefix || prefix === 'default' || !/^\d/.test(prefix)) continue;
    const range = parseCidr(prefix);
    const hit = wanted.find((address) => contains(range, address));
    if (hit) return `this machine already routes ${prefix} (${line.trim()})`;
  }
  return null;
}

let reason = await incusUnavailableReason();
if (!reason) reason = clashingRoute();
if (reason) console.warn(`Skipping Incus isolation integration tests: ${reason}`);

function sh(...argv: string[]): void {
  execFileSync(argv[0] as string, argv.slice(1), { stdio: 'pipe' });
}

/** A namespace with the given addresses behind a veth whose host end has `hostSide`; /32 routes only. */
function standIn(ns: string, hostSide: string, addresses: string[]): void {
  const hostEnd = `${ns}h`;
  const nsEnd = `${ns}n`;
  sh('ip', 'netns', 'add', ns);
  sh('ip', 'link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd);
  sh('ip', 'link', 'set', nsEnd, 'netns', ns);
  sh('ip', 'addr', 'add', `${hostSide}/32`, 'dev', hostEnd);
  sh('ip', 'link', 'set', hostEnd, 'up');
  for (const address of addresses) {
    sh('ip', 'netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/32`, 'dev', nsEnd);
    sh('ip', 'route', 'add', `${address}/32`, 'dev', hostEnd);
  }
  sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
  sh('ip', 'netns', 'exec', ns, 'ip', 'link', 'set', nsEnd, 'up');
  sh('ip', 'netns', 'exec', ns, 'ip', 'route', 'add', `${hostSide}/32`, 'dev', nsEnd);
  sh('ip', 'netns', 'exec', ns, 'ip', 'route', 'add', 'default', 'via', hostSide, 'dev', nsEnd);
}

/** An HTTP server inside the namespace that answers with the client address it sees. */
function serveIn(ns: string): ChildProcess {
  const code = `require('http').createServer((q, r) => r.end(q.socket.remoteAddress.replace('::ffff:', ''))).listen(${PORT}, '0.0.0.0')`;
  return spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: 'ignore' });
}

function httpGet(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const request = http.get({ host, port, timeout: 1_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3_000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(false));
  });
}

describe.skipIf(reason !== null)('Incus workspace network isolation', () => {
  let runtime: IncusRuntime;
  const servers: ChildProcess[] = [];
  const hostServers: http.Server[] = [];
  const names = { a: testName('iso-a'), b: testName('iso-b') };
  const instance = { a: `tp-${names.a}`, b: `tp-${names.b}` };
  const address: { a: string; b: string } = { a: '', b: '' };
  let gateway = '';
  let hostLan = '';
  let hostPort = 0;
  const ctx = quietContext();

  /** HTTP from inside a workspace: the body (the address the server saw) or `refused`/`no answer`. */
  async function probe(name: string, url: string, extra = ''): Promise<string> {
    const result = await guestSh(runtime, name, `curl -s --max-time 4 ${extra} ${url}; echo " rc=$?"`);
    const rc = /rc=(\d+)$/.exec(result.out)?.[1];
    if (rc === '0') return result.out.replace(/ rc=0$/, '').trim();
    return rc === '7' ? 'refused' : `no answer (curl ${rc})`;
  }

  beforeAll(async () => {
    runtime = localRuntime();
    standIn(NS.lan, HOST_SIDE.lan, LAN_HOSTS);
    standIn(NS.inet, HOST_SIDE.inet, [INET_HOST]);
    servers.push(serveIn(NS.lan), serveIn(NS.inet));
    // The stand-ins answer the host itself (the positive control for every "blocked" below).
    const answers = (host: string, seen: string) => pollUntil(async () => ((await httpGet(host, PORT)) === seen ? true : null), { timeoutMs: 10_000, intervalMs: 100 });
    expect(await answers(INET_HOST, HOST_SIDE.inet)).toBe(true);
    expect(await answers(LAN_HOSTS[0] as string, HOST_SIDE.lan)).toBe(true);

    await Promise.all([runtime.create(specFor(runtime, names.a), ctx), runtime.create(specFor(runtime, names.b), ctx)]);
    await Promise.all([runtime.start(instance.a, ctx), runtime.start(instance.b, ctx)]);
    address.a = (await runtime.getIp(instance.a, ctx, 60_000)) ?? '';
    address.b = (await runtime.getIp(instance.b, ctx, 60_000)) ?? '';
    for (const name of [instance.a, instance.b]) await runtime.configure(name, { network: { mode: 'isolated' } }, ctx);

    // Services on the host: on the bridge gateway and on its LAN address.
    const bridge = await getNetwork(await runtime.client(), 'tidepoolbr0');
    gateway = (bridge.config['ipv4.address'] ?? '').split('/')[0] ?? '';
    hostLan =
      Object.entries(networkInterfaces())
        .filter(([name]) => name !== 'lo' && !name.startsWith('tidepoolbr') && !name.startsWith('veth') && !name.startsWith('tp'))
        .flatMap(([, infos]) => infos ?? [])
        .find((info) => info.family === 'IPv4' && !info.internal)?.address ?? '';
    for (const host of [gateway, hostLan].filter(Boolean)) {
      const server = http.createServer((_q, r) => r.end('host service'));
      await new Promise<void>((resolve) => server.listen(hostPort, host, resolve));
      hostPort = (server.address() as net.AddressInfo).port;
      hostServers.push(server);
    }
  }, 180_000);

  afterAll(async () => {
    for (const server of servers) server.kill();
    for (const server of hostServers) server.close();
    for (const ns of Object.values(NS)) {
      try {
        sh('ip', 'netns', 'del', ns);
      } catch {
        // Not created (an earlier step failed).
      }
    }
    await removeQuietly(runtime, [instance.a, instance.b]);
  });

  it('reaches the internet stand-in through NAT', async () => {
    expect(address.a).not.toBe('');
    // The server sees the host's address, not the workspace's: the traffic was masqueraded.
    expect(await probe(instance.a, `http://${INET_HOST}:${PORT}/`)).toBe(HOST_SIDE.inet);
  });

  it('cannot reach the LAN stand-ins, the host on the bridge, or the host on its LAN', async () => {
    for (const host of LAN_HOSTS) expect(await probe(instance.a, `http://${host}:${PORT}/`), host).toBe('refused');
    expect(await probe(instance.a, `http://${gateway}:${hostPort}/`)).toBe('refused');
    if (hostLan) expect(await probe(instance.a, `http://${hostLan}:${hostPort}/`)).toBe('refused');
  });

  it('still gets DHCP and DNS from the bridge gateway', async () => {
    const dns = await guestSh(runtime, instance.a, `getent hosts ${instance.b}.incus`);
    expect(dns.out).toContain(address.b);
  });

  it('cannot reach another workspace, which the host can', async () => {
    // sshd generates its host keys at first boot; wait until it listens.
    expect(await pollUntil(async () => ((await canConnect(address.b, 22)) ? true : null), { timeoutMs: 30_000, intervalMs: 250 })).toBe(true);
    const direct = await guestSh(runtime, instance.a, `timeout 4 bash -c '</dev/tcp/${address.b}/22' && echo open || echo closed`);
    expect(direct.out).toBe('closed');
  });

  it('stays isolated when root in the guest changes routes, firewall and addresses', async () => {
    const tamper = await guestSh(
      runtime,
      instance.a,
      [
        'ip route add 192.168.77.0/24 dev eth0',
        'ip route add 10.77.0.0/16 dev eth0',
        'sysctl -qw net.ipv4.ip_forward=1',
        '(command -v nft >/dev/null && nft flush ruleset || true)',
        'echo done',
      ].join('; '),
    );
    expect(tamper.out).toContain('done');
    for (const host of LAN_HOSTS) expect(await probe(instance.a, `http://${host}:${PORT}/`), host).not.toBe(HOST_SIDE.lan);
    expect(await probe(instance.a, `http://${INET_HOST}:${PORT}/`)).toBe(HOST_SIDE.inet);

    // A second address in the bridge's subnet gets nothing through: Incus drops spoofed sources.
    const spoofed = address.a.replace(/\.\d+$/, '.250');
    await guestSh(runtime, instance.a, `ip addr add ${spoofed}/32 dev eth0`);
    expect(await probe(instance.a, `http://${INET_HOST}:${PORT}/`, `--interface ${spoofed}`)).toMatch(/no answer/);
    await guestSh(runtime, instance.a, `ip addr del ${spoofed}/32 dev eth0; ip route del 192.168.77.0/24; ip route del 10.77.0.0/16`);
  });

  it('opens exactly the allow-listed range for that workspace only, and closes it again', async () => {
    await runtime.configure(instance.a, { network: { mode: 'allow-list', allow: ['192.168.77.0/24'] } }, ctx);
    expect(await probe(instance.a, `http://${LAN_HOSTS[0]}:${PORT}/`)).toBe(HOST_SIDE.lan);
    expect(await probe(instance.a, `http://${LAN_HOSTS[1]}:${PORT}/`)).toBe('refused');
    expect(await probe(instance.b, `http://${LAN_HOSTS[0]}:${PORT}/`)).toBe('refused');
    // B borrowing A's address to use A's allow-list is dropped.
    await guestSh(runtime, instance.b, `ip addr add ${address.a}/32 dev eth0`);
    expect(await probe(instance.b, `http://${LAN_HOSTS[0]}:${PORT}/`, `--interface ${address.a}`)).not.toBe(HOST_SIDE.lan);
    await guestSh(runtime, instance.b, `ip addr del ${address.a}/32 dev eth0`);

    await runtime.configure(instance.a, { network: { mode: 'isolated' } }, ctx);
    expect(await probe(instance.a, `http://${LAN_HOSTS[0]}:${PORT}/`)).toBe('refused');
    const acls = await getNetworkAcls(await runtime.client());
    expect(acls.map((acl) => acl.name)).not.toContain(`tidepool-allow-${names.a}`);
  });
});
