/**
 * A real core on the simulated runtime that knows `count` ready workspaces, in the file store the real
 * app uses: for the figures that are about Tidepool itself (its memory, its API, its UI) rather than about
 * a runtime. One workspace is made through the workspace service; the rest are copies of its record with
 * their own id and name (filling the store one operation at a time takes minutes for 500).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../src-main/core.js';
import { SimulatedRuntime } from '../src-main/runtimes/simulated/simulated-runtime.js';
import type { Workspace } from '../src-shared/workspace.js';

export async function simulatedCore(count: number, dataDir = mkdtempSync(join(tmpdir(), 'tidepool-bench-sim-'))): Promise<Core> {
  const core = await createCore({
    dataDir,
    platform: process.platform,
    runtimes: [new SimulatedRuntime({ delays: { create: 0, start: 0, stop: 0, delete: 0, getIp: 0 } })],
    runtimeOverride: 'simulated',
    simulatedGuestStepMs: 0,
    healthIntervalMs: 0,
  });
  if (count === 0) return core;
  const first = await core.workspaces.create({ name: 'sim-0000', runtime: 'simulated' });
  await core.workspaces.settled(first.id);
  const template = core.workspaces.get(first.id);
  const records: Record<string, Workspace> = { [template.id]: template };
  for (let index = 1; index < count; index += 1) {
    const name = `sim-${String(index).padStart(4, '0')}`;
    const id = randomUUID();
    records[id] = { ...template, id, name, instanceName: `tp-${name}`, createdAt: new Date(Date.parse(template.createdAt) + index).toISOString() };
  }
  core.store.set('workspaces', records);
  return core;
}
