import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerCgroup } from './cgroup.js';

function write(root: string, path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

describe('container cgroup', () => {
  it('reads cgroup v1 (hybrid): hierarchical totals, usage, cpuacct', () => {
    const root = mkdtempSync(join(tmpdir(), 'cgroup-v1-'));
    write(root, 'memory/lxc.payload.ws/memory.stat', 'cache 10\nrss 20\ntotal_cache 1048576\ntotal_rss 2097152\n');
    write(root, 'memory/lxc.payload.ws/memory.usage_in_bytes', '4194304\n');
    write(root, 'cpuacct/lxc.payload.ws/cpuacct.usage', '123456789\n');
    const cgroup = containerCgroup('ws', root)!;
    expect(cgroup.version).toBe(1);
    expect(cgroup.memory()).toEqual({ rssBytes: 2097152, cacheBytes: 1048576, usageBytes: 4194304 });
    expect(cgroup.cpuNs()).toBe(123456789);
  });

  it('reads cgroup v2: anon, file, memory.current, usage_usec', () => {
    const root = mkdtempSync(join(tmpdir(), 'cgroup-v2-'));
    write(root, 'lxc.payload.ws/memory.stat', 'anon 3000\nfile 5000\nkernel 10\n');
    write(root, 'lxc.payload.ws/memory.current', '9000\n');
    write(root, 'lxc.payload.ws/cpu.stat', 'usage_usec 42\nuser_usec 40\n');
    const cgroup = containerCgroup('ws', root)!;
    expect(cgroup.version).toBe(2);
    expect(cgroup.memory()).toEqual({ rssBytes: 3000, cacheBytes: 5000, usageBytes: 9000 });
    expect(cgroup.cpuNs()).toBe(42_000);
  });

  it('finds nothing for a container that is not running here', () => {
    expect(containerCgroup('ws', mkdtempSync(join(tmpdir(), 'cgroup-none-')))).toBeNull();
  });
});
