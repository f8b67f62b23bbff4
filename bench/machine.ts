/** What the figures were measured on: hardware, OS, the runtime and its storage, and the load at the start. */
import { readFileSync } from 'node:fs';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import type { DirectRuntime } from './direct-runtime.js';

export interface Machine {
  platform: string;
  os: string;
  kernel: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  runtime: Record<string, string>;
  /** 1, 5 and 15-minute load averages when the run started. */
  loadAtStart: [number, number, number];
}

function osName(): string {
  if (platform() !== 'linux') return `${platform()} ${release()}`;
  try {
    const line = readFileSync('/etc/os-release', 'utf8').split('\n').find((entry) => entry.startsWith('PRETTY_NAME='));
    return line ? line.slice('PRETTY_NAME='.length).replace(/^"|"$/g, '') : 'Linux';
  } catch {
    return 'Linux';
  }
}

export async function describeMachine(direct: DirectRuntime | null): Promise<Machine> {
  const [one, five, fifteen] = loadavg() as [number, number, number];
  const runtime = direct ? await direct.describe().catch((error: unknown) => ({ error: String(error) })) : { runtime: 'none' };
  return {
    platform: `${platform()}/${arch()}`,
    os: osName(),
    kernel: release(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1073741824) * 10) / 10,
    node: process.version,
    runtime,
    loadAtStart: [one, five, fifteen].map((value) => Math.round(value * 100) / 100) as [number, number, number],
  };
}
