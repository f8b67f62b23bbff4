/**
 * Incus without Tidepool: the same image launched straight through the REST API on the local socket (the
 * way a script would do it), on the same pool and bridge, plus the cost probes (cgroup, volumes).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { IncusClient, DEFAULT_SOCKET_PATH } from '../src-main/runtimes/incus/incus-client.js';
import { TIDEPOOL_POOL } from '../src-main/runtimes/incus/incus-runtime.js';
import { TIDEPOOL_BRIDGE } from '../src-main/runtimes/incus/incus-network.js';
import { homeVolumeName } from '../src-main/runtimes/incus/incus-storage.js';
import { containerCgroup } from './cgroup.js';
import type { DirectRuntime, DiskCost, IdleCost } from './direct-runtime.js';

const run = promisify(execFile);
const MiB = 1048576;

interface InstanceState {
  status_code: number;
  network: Record<string, { addresses: { family: string; address: string; scope: string }[] }> | null;
}

interface ServerInfo {
  environment: { server_version?: string; driver?: string; driver_version?: string; kernel_version?: string };
}

export class DirectIncus implements DirectRuntime {
  readonly id = 'incus' as const;
  private readonly client: IncusClient;

  constructor(
    private readonly image: string,
    socketPath = process.env.INCUS_SOCKET ?? DEFAULT_SOCKET_PATH,
    private readonly pool = TIDEPOOL_POOL,
    private readonly bridge = TIDEPOOL_BRIDGE,
  ) {
    this.client = new IncusClient({ kind: 'unix', socketPath });
  }

  async describe(): Promise<Record<string, string>> {
    const server = (await this.client.query<ServerInfo>('GET', '/1.0')).metadata.environment;
    const pool = (await this.client.query<{ driver: string; config: Record<string, string> }>('GET', `/1.0/storage-pools/${this.pool}`)).metadata;
    return {
      'Incus version': server.server_version ?? 'unknown',
      'instance driver': `${server.driver ?? '?'} ${server.driver_version ?? ''}`.trim(),
      'storage pool': `${this.pool} (${pool.driver}${pool.config.source ? `, ${pool.config.source}` : ''})`,
      image: this.image,
      cgroups: existsSync('/sys/fs/cgroup/memory/memory.stat') || existsSync('/sys/fs/cgroup/memory/cgroup.procs') ? 'v1 memory controller (hybrid)' : 'v2 (unified)',
    };
  }

  async launch(name: string, publicKey: string): Promise<void> {
    await this.client.run('POST', '/1.0/instances', {
      body: {
        name,
        type: 'container',
        source: { type: 'image', alias: this.image },
        profiles: [],
        config: { 'user.tidepool.ssh_authorized_keys': publicKey.trim() },
        devices: {
          root: { type: 'disk', path: '/', pool: this.pool },
          eth0: { type: 'nic', name: 'eth0', network: this.bridge },
        },
        start: true,
      },
      waitTimeoutMs: 300_000,
      action: `launch ${name}`,
    });
  }

  async address(name: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = (await this.client.query<InstanceState>('GET', `/1.0/instances/${name}/state`)).metadata;
      const address = state.network?.eth0?.addresses.find((a) => a.family === 'inet' && a.scope === 'global')?.address;
      if (address) return address;
      if (Date.now() > deadline) throw new Error(`${name} got no IPv4 address within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async remove(name: string): Promise<void> {
    await this.client.run('PUT', `/1.0/instances/${name}/state`, { body: { action: 'stop', force: true }, waitTimeoutMs: 60_000 }).catch(() => undefined);
    await this.client.run('DELETE', `/1.0/instances/${name}`, { waitTimeoutMs: 120_000 });
    // A Tidepool workspace's home volume, when an interrupted run leaves one behind.
    await this.client.query('DELETE', `/1.0/storage-pools/${this.pool}/volumes/custom/${homeVolumeName(name)}`).catch(() => undefined);
  }

  async leftovers(prefix: string): Promise<string[]> {
    const names = (await this.client.query<string[]>('GET', '/1.0/instances')).metadata.map((url) => url.split('/').pop()!);
    return names.filter((name) => name.startsWith(prefix));
  }

  async idleCost(instanceName: string, windowMs: number): Promise<IdleCost> {
    const cgroup = containerCgroup(instanceName);
    if (!cgroup) throw new Error(`no cgroup found for ${instanceName} (is it running on this host?)`);
    const state = (await this.client.query<{ memory: { usage: number } }>('GET', `/1.0/instances/${instanceName}/state`)).metadata;
    const memory = cgroup.memory();
    const cpuBefore = cgroup.cpuNs();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const cpuNs = cgroup.cpuNs() - cpuBefore;
    const elapsedNs = (performance.now() - started) * 1e6;
    return {
      rssMiB: memory.rssBytes / MiB,
      cacheMiB: memory.cacheBytes / MiB,
      totalMiB: state.memory.usage / MiB,
      cpuPercent: (cpuNs / elapsedNs) * 100,
    };
  }

  async diskCost(instanceName: string): Promise<DiskCost> {
    const instance = (await this.client.query<{ expanded_devices: Record<string, Record<string, string>> }>('GET', `/1.0/instances/${instanceName}`)).metadata;
    const pool = instance.expanded_devices.root?.pool ?? this.pool;
    const images = (await this.client.query<{ fingerprint: string; aliases: { name: string }[] }[]>('GET', '/1.0/images?recursion=1')).metadata;
    const fingerprint = images.find((image) => image.aliases.some((alias) => alias.name === this.image))?.fingerprint;
    const home = homeVolumeName(instanceName);
    const hasHome = Object.values(instance.expanded_devices).some((device) => device.source === home);
    return {
      instanceMiB: await this.volumeUsageMiB(pool, 'container', instanceName),
      imageMiB: fingerprint ? await this.volumeUsageMiB(pool, 'image', fingerprint) : Number.NaN,
      homeMiB: hasHome ? await this.volumeUsageMiB(pool, 'custom', home) : null,
    };
  }

  /**
   * On btrfs, the bytes only this volume holds (`btrfs filesystem du` exclusive): what a copy-on-write
   * clone really costs. Other drivers: what Incus reports for the volume.
   */
  private async volumeUsageMiB(pool: string, type: 'container' | 'image' | 'custom', name: string): Promise<number> {
    const info = (await this.client.query<{ driver: string }>('GET', `/1.0/storage-pools/${pool}`)).metadata;
    if (info.driver === 'btrfs') {
      const folder = { container: 'containers', image: 'images', custom: 'custom' }[type];
      const path = `/var/lib/incus/storage-pools/${pool}/${folder}/${type === 'custom' ? `default_${name}` : name}`;
      const { stdout } = await run('btrfs', ['filesystem', 'du', '-s', '--raw', path]);
      const fields = stdout.trim().split('\n').pop()!.trim().split(/\s+/);
      // Columns: Total, Exclusive, Set shared, Filename. An image's volume shares everything with its clones.
      return Number(type === 'image' ? fields[0] : fields[1]) / MiB;
    }
    const state = (await this.client.query<{ usage: { used: number } }>('GET', `/1.0/storage-pools/${pool}/volumes/${type}/${name}/state`)).metadata;
    return state.usage.used / MiB;
  }
}
