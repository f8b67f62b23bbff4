/**
 * Workspace isolation holds across stop and start through the real core (new boot, maybe a new address,
 * the bridge rules rebuilt), on the real local incusd. A stand-in internet host (198.51.100.40 in its own
 * network namespace behind a /32 route) is the positive control; services the test runs on the host's
 * bridge address and on its own LAN address, and the other workspace's sshd, must stay out of reach.
 * runtimes/incus/incus-isolation.integration.test.ts proves the rules themselves on freshly made instances.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src-shared/workspace.js';
import type { Core } from '../core.js';
import { contains, parseCidr } from '../runtimes/incus/cidr.js';
import { getNetwork } from '../runtimes/incus/incus-network.js';
import { guestSh, incusUnavailableReason } from '../runtimes/incus/integration-support.js';
import { createReady, deleteAndSettle, incusClient, incusRuntimeOf, openIncusCore, removeRunLeftovers, runName, tempDataDir, waitFor } from './testing/incus-core.js';

const INET_HOST = '198.51.100.40';
const HOST_SIDE = '198.51.100.41';
const PORT = 8080;
const NS = `tpr${process.pid.toString(36).slice(-5)}`;

/** Refuses to run if this machine already routes either stand-in address. */
function clashingRoute(): string | null {
  const wanted = [INET_HOST, HOST_SIDE].map((address) => parseCidr(`${address}/32`));
  for (const line of execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }).split('\n')) {
    const words = line.trim().split(/\s+/);
    const prefix = ['local', 'broadcast', 'unreachable', 'blackhole', 'prohibit', 'throw'].includes(words[0] ?? '') ? words[1] : words[0];
    if (!prefix || prefix === 'default' || !/^\d/.test(prefix)) continue;
    if (wanted.some((address) => contains(parseCidr(prefix), address))) return `this machine already routes ${prefix} (${line.trim()})`;
  }
  return null;
}

let reason = await incusUnavailableReason();
if (!reason) reason = clashingRoute();
if (reason) console.warn(`Skipping the isolation-after-restart test: ${reason}`);

function sh(...argv: string[]): void {
  execFileSync(argv[0]!, argv.slice(1), { stdio: 'pipe' });
}

describe.skipIf(reason !== null)('isolation after stop and start (real Incus, real core)', () => {
  let dataDir: string;
  let core: Core;
  let a: Workspace;
  let b: Workspace;
  let standIn: ChildProcess | null = null;
  const hostServers: http.Server[] = [];
  const hostServices: string[] = [];

  /** What workspace `from` gets from `url`: the body, `refused`, or `no answer`. */
  async function probe(from: Workspace, url: string): Promise<string> {
    const result = await guestSh(incusRuntimeOf(core), from.instanceName, `curl -s --max-time 4 ${url}; echo " rc=$?"`);
    const rc = /rc=(\d+)$/.exec(result.out)?.[1];
    if (rc === '0') return result.out.replace(/ rc=0$/, '').trim();
    return rc === '7' ? 'refused' : `no answer (curl ${rc})`;
  }

  async function expectIsolated(label: string): Promise<void> {
    a = core.workspaces.get(a.id);
    b = core.workspaces.get(b.id);
    const seen: Record<string, string> = { internet: await probe(a, `http://${INET_HOST}:${PORT}/`) };
    for (const service of hostServices) seen[service] = await probe(a, `http://${service}/`);
    const toB = await guestSh(incusRuntimeOf(core), a.instanceName, `timeout 4 bash -c '</dev/tcp/${b.address}/22' && echo open || echo closed`);
    seen[`${b.name} ssh`] = toB.out;
    console.info(`${label}: ${a.name} at ${a.address}, ${b.name} at ${b.address}: ${JSON.stringify(seen)}`);
    // The control: the workspace's network works (NAT'd: the stand-in sees the host's address).
    expect(seen.internet).toBe(HOST_SIDE);
    for (const service of hostServices) expect(seen[service], service).toBe('refused');
    expect(seen[`${b.name} ssh`]).toBe('closed');
  }

  beforeAll(async () => {
    sh('ip', 'netns', 'add', NS);
    sh('ip', 'link', 'add', `${NS}h`, 'type', 'veth', 'peer', 'name', `${NS}n`);
    sh('ip', 'link', 'set', `${NS}n`, 'netns', NS);
    sh('ip', 'addr', 'add', `${HOST_SIDE}/32`, 'dev', `${NS}h`);
    sh('ip', 'link', 'set', `${NS}h`, 'up');
    sh('ip', 'netns', 'exec', NS, 'ip', 'addr', 'add', `${INET_HOST}/32`, 'dev', `${NS}n`);
    sh('ip', 'route', 'add', `${INET_HOST}/32`, 'dev', `${NS}h`);
    sh('ip', 'netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    sh('ip', 'netns', 'exec', NS, 'ip', 'link', 'set', `${NS}n`, 'up');
    sh('ip', 'netns', 'exec', NS, 'ip', 'route', 'add', `${HOST_SIDE}/32`, 'dev', `${NS}n`);
    sh('ip', 'netns', 'exec', NS, 'ip', 'route', 'add', 'default', 'via', HOST_SIDE, 'dev', `${NS}n`);
    const code = `require('http').createServer((q, r) => r.end(q.socket.remoteAddress.replace('::ffff:', ''))).listen(${PORT}, '0.0.0.0')`;
    standIn = spawn('ip', ['netns', 'exec', NS, process.execPath, '-e', code], { stdio: 'ignore' });

    dataDir = tempDataDir('isolation');
    core = await openIncusCore(dataDir);
    [a, b] = await Promise.all([createReady(core, runName('iso-a')), createReady(core, runName('iso-b'))]);

    // Services on the host: on the bridge's address and on the host's own LAN address.
    const bridge = await getNetwork(incusClient(), 'tidepoolbr0');
    const gateway = (bridge.config['ipv4.address'] ?? '').split('/')[0] ?? '';
    const hostLan =
      Object.entries(networkInterfaces())
        .filter(([name]) => name !== 'lo' && !name.startsWith('tidepoolbr') && !name.startsWith('veth') && !name.startsWith('tp'))
        .flatMap(([, infos]) => infos ?? [])
        .find((info) => info.family === 'IPv4' && !info.internal)?.address ?? '';
    for (const host of [gateway, hostLan].filter(Boolean)) {
      const server = http.createServer((_q, r) => r.end('host service'));
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      hostServers.push(server);
      hostServices.push(`${host}:${(server.address() as AddressInfo).port}`);
    }
    // The stand-in answers the host itself.
    await waitFor(
      'the internet stand-in',
      () =>
        new Promise<true | null>((resolve) => {
          http
            .get({ host: INET_HOST, port: PORT, timeout: 1_000 }, (res) => {
              res.resume();
              resolve(true);
            })
            .on('error', () => resolve(null));
        }),
      10_000,
    );
  }, 240_000);

  afterAll(async () => {
    try {
      standIn?.kill();
      for (const server of hostServers) server.close();
      try {
        sh('ip', 'netns', 'del', NS);
      } catch {
        // Not made (an earlier step failed).
      }
      try {
        sh('ip', 'link', 'del', `${NS}h`);
      } catch {
        // Went with the namespace.
      }
      await core?.workspaces.drain();
      for (const workspace of core?.workspaces.list() ?? []) await deleteAndSettle(core, workspace.id);
      await core?.dispose();
    } finally {
      const left = await removeRunLeftovers();
      if (left.length > 0) console.warn(`removed leftovers: ${left.join(', ')}`);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('is isolated once created', async () => {
    await expectIsolated('after create');
  });

  it('is still isolated after both workspaces were stopped and started again', async () => {
    for (const workspace of [a, b]) await core.workspaces.stop(workspace.id);
    await Promise.all([a, b].map((workspace) => core.workspaces.settled(workspace.id)));
    expect([a, b].map((workspace) => core.workspaces.get(workspace.id).state)).toEqual(['stopped', 'stopped']);
    // Started in the other order, so addresses may come out swapped.
    for (const workspace of [b, a]) await core.workspaces.start(workspace.id);
    await Promise.all([a, b].map((workspace) => core.workspaces.settled(workspace.id)));
    expect([a, b].map((workspace) => core.workspaces.get(workspace.id).state)).toEqual(['ready', 'ready']);
    await expectIsolated('after stop and start');
  });

  it('is still isolated when the instance was restarted behind Tidepool’s back and reattached', async () => {
    await incusClient().run('PUT', `/1.0/instances/${a.instanceName}/state`, { body: { action: 'restart', force: true }, waitTimeoutMs: 60_000 });
    await core.health.checkOnce();
    a = core.workspaces.get(a.id);
    if (a.state !== 'ready') {
      await core.workspaces.start(a.id);
      await core.workspaces.settled(a.id);
    }
    expect(core.workspaces.get(a.id).state).toBe('ready');
    await waitFor('the restarted workspace to have its address', async () => ((await incusRuntimeOf(core).getIp(a.instanceName, { signal: new AbortController().signal, progress: () => undefined, log: () => undefined }, 1_000)) ? true : null), 60_000);
    await expectIsolated('after a restart outside Tidepool');
  });
});
