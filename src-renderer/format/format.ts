/** How numbers, sizes and times read in the UI. */
import type { NetworkPolicy, Resources } from '../../src-shared/workspace.js';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

export function formatMemory(mebibytes: number): string {
  if (mebibytes < 1024) return `${mebibytes} MB`;
  const gib = mebibytes / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(1)} GB`;
}

export function formatResources(resources: Resources): string {
  const cpus = `${resources.cpus} ${resources.cpus === 1 ? 'CPU' : 'CPUs'}`;
  return `${cpus} · ${formatMemory(resources.memoryMiB)} RAM · ${resources.diskGiB} GB disk`;
}

/** 4.2 s, 1 m 05 s, 1 h 02 m. */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 10_000) return `${(safe / 1000).toFixed(1)} s`;
  const seconds = Math.floor(safe / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString(undefined, { hour12: false });
}

export function formatNetwork(network: NetworkPolicy): string {
  return network.mode === 'isolated' ? 'Isolated' : `Isolated, plus ${network.allow.join(', ')}`;
}
