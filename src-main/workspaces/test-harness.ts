/** Builds a core on the simulated runtime for tests, with fast delays and an in-memory store. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName, EventPayloads } from '../../src-shared/contract.js';
import type { OperationStep } from '../../src-shared/workspace.js';
import { createCore, type Core } from '../core.js';
import { SimulatedRuntime, type SimulatedOptions } from '../runtimes/simulated/simulated-runtime.js';
import { MemoryStateStore, type StateStore } from '../store/state-store.js';

export interface Harness {
  core: Core;
  runtime: SimulatedRuntime;
  store: StateStore;
  events: { name: EventName; payload: unknown }[];
  eventsOf<E extends EventName>(name: E): EventPayloads[E][];
}

export async function simulatedHarness(
  options: {
    delays?: SimulatedOptions['delays'];
    store?: StateStore;
    dataDir?: string;
    runtime?: SimulatedRuntime;
    stepDeadlinesMs?: Partial<Record<OperationStep, number>>;
  } = {},
): Promise<Harness> {
  const runtime =
    options.runtime ??
    new SimulatedRuntime({ delays: { create: 5, start: 5, stop: 5, delete: 5, getIp: 5, ...options.delays } });
  const store = options.store ?? new MemoryStateStore();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'tidepool-test-'));
  const core = await createCore({
    dataDir,
    store,
    platform: 'linux',
    // Only the double: tests must not see real runtimes on the machine running them.
    runtimes: [runtime],
    runtimeOverride: 'simulated',
    timeouts: { addressMs: 200, stopMs: 200 },
    simulatedGuestStepMs: 2,
    healthIntervalMs: 0,
    ...(options.stepDeadlinesMs ? { stepDeadlinesMs: options.stepDeadlinesMs } : {}),
  });
  const events: { name: EventName; payload: unknown }[] = [];
  core.events.onAny((name, payload) => events.push({ name, payload }));
  return {
    core,
    runtime,
    store,
    events,
    eventsOf: <E extends EventName>(name: E) =>
      events.filter((event) => event.name === name).map((event) => event.payload as EventPayloads[E]),
  };
}
