/**
 * Reading an Incus container's cgroup on the host: cgroup v1 (separate memory and cpuacct hierarchies, as
 * on hybrid hosts) or the unified v2 hierarchy. LXC puts a container's processes under `lxc.payload.<name>`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

export interface CgroupMemory {
  /** Anonymous resident memory (v1 total_rss, v2 anon). */
  rssBytes: number;
  /** File pages charged to the container (v1 total_cache, v2 file). */
  cacheBytes: number;
  /** The cgroup's whole charge (v1 usage_in_bytes, v2 memory.current). */
  usageBytes: number;
}

export interface ContainerCgroup {
  version: 1 | 2;
  memory(): CgroupMemory;
  /** CPU time used so far, in nanoseconds. */
  cpuNs(): number;
}

function parseStat(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) values.set(key, Number(value));
  }
  return values;
}

const read = (path: string): string => readFileSync(path, 'utf8');

/** The container's cgroup, or null when neither layout has it (not running, or not on this host). */
export function containerCgroup(instanceName: string, root = ROOT): ContainerCgroup | null {
  const leaf = `lxc.payload.${instanceName}`;
  const v1Memory = join(root, 'memory', leaf);
  if (existsSync(join(v1Memory, 'memory.stat'))) {
    const v1Cpu = [join(root, 'cpuacct', leaf), join(root, 'cpu,cpuacct', leaf)].find((dir) => existsSync(join(dir, 'cpuacct.usage')));
    return {
      version: 1,
      memory: () => {
        const stat = parseStat(read(join(v1Memory, 'memory.stat')));
        // The container's processes live in child cgroups: the total_* keys include them.
        return {
          rssBytes: stat.get('total_rss') ?? stat.get('rss') ?? 0,
          cacheBytes: stat.get('total_cache') ?? stat.get('cache') ?? 0,
          usageBytes: Number(read(join(v1Memory, 'memory.usage_in_bytes'))),
        };
      },
      cpuNs: () => {
        if (!v1Cpu) throw new Error(`no cpuacct cgroup for ${instanceName}`);
        return Number(read(join(v1Cpu, 'cpuacct.usage')));
      },
    };
  }
  const v2 = join(root, leaf);
  if (existsSync(join(v2, 'memory.current'))) {
    return {
      version: 2,
      memory: () => {
        const stat = parseStat(read(join(v2, 'memory.stat')));
        return { rssBytes: stat.get('anon') ?? 0, cacheBytes: stat.get('file') ?? 0, usageBytes: Number(read(join(v2, 'memory.current'))) };
      },
      cpuNs: () => (parseStat(read(join(v2, 'cpu.stat'))).get('usage_usec') ?? 0) * 1000,
    };
  }
  return null;
}
