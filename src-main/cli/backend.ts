/**
 * What a CLI command talks to. When the app or `tidepool serve` is running, calls go over its local socket
 * so both see one state; otherwise this process runs the core itself and, while it runs, answers on the
 * socket in turn, so a second `tidepool` command never opens the same state twice.
 */
import { join } from 'node:path';
import type { EventName, MethodInput, MethodName, MethodOutput } from '../../src-shared/contract.js';
import { TidepoolError, type Result } from '../../src-shared/errors.js';
import type { RuntimeId } from '../../src-shared/workspace.js';
import { dispatch, type Handlers } from '../api/dispatch.js';
import { createHandlers } from '../api/handlers.js';
import { createCore, type Core } from '../core.js';
import { SimulatedRuntime } from '../runtimes/simulated/simulated-runtime.js';
import { attachLocalSocket, localSocketPath, type LocalSocketServer } from '../server/local-socket.js';
import { connectLocalSocket, type EventListener, type SocketClient } from './socket-client.js';

export interface BackendOptions {
  dataDir: string;
  /** The `--runtime` flag. */
  runtime?: RuntimeId;
  /** Offer the simulated runtime (TIDEPOOL_SIMULATED=1 or `--runtime simulated`). */
  simulated: boolean;
  /** Keep the warm pool filled (`tidepool serve`; never a one-shot command). */
  keepWarmPool?: boolean;
}

export interface Backend {
  /** `connected`: a running app or server holds the core. `standalone`: this process does. */
  readonly mode: 'connected' | 'standalone';
  /** The core, when this process runs it. */
  readonly core: Core | null;
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  onEvent(listener: EventListener): () => void;
  close(): Promise<void>;
}

export async function openBackend(options: BackendOptions): Promise<Backend> {
  const socketPath = localSocketPath(options.dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    const client = await connectLocalSocket(socketPath);
    if (client) return connectedBackend(client);
    const core = await createStandaloneCore(options);
    const handlers = createHandlers(core);
    let socket: LocalSocketServer | null = null;
    try {
      socket = await attachLocalSocket({ socketPath, handlers, events: core.events });
    } catch (error) {
      if (error instanceof TidepoolError && error.code === 'BUSY') {
        // Another tidepool process started at the same moment: use it instead.
        await core.dispose();
        continue;
      }
      // No socket (e.g. a data folder path too long for one): still work, just without sharing.
    }
    return standaloneBackend(core, handlers, socket);
  }
  throw new TidepoolError({
    code: 'BUSY',
    message: 'Another Tidepool process holds the data folder but does not answer.',
    hint: `Check for a stuck tidepool process, or remove ${socketPath} if none is running.`,
  });
}

export function simulatedStateFile(dataDir: string): string {
  return join(dataDir, 'simulated-instances.json');
}

/** TIDEPOOL_SIMULATED_DELAY_MS makes every simulated step take that long (tests use a few ms). */
export function simulatedDelayMs(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.TIDEPOOL_SIMULATED_DELAY_MS;
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

export async function createStandaloneCore(options: BackendOptions): Promise<Core> {
  const delay = simulatedDelayMs();
  const simulated = options.simulated
    ? new SimulatedRuntime({
        stateFile: simulatedStateFile(options.dataDir),
        ...(delay !== undefined
          ? { delays: { create: delay, start: delay, stop: delay, delete: delay, getIp: delay } }
          : {}),
      })
    : false;
  return createCore({
    dataDir: options.dataDir,
    simulated,
    ...(options.runtime ? { runtimeOverride: options.runtime } : {}),
    ...(delay !== undefined ? { simulatedGuestStepMs: delay } : {}),
    ...(options.keepWarmPool ? { keepWarmPool: true } : {}),
    ...cliCommand(),
  });
}

/** How to run this same `tidepool` again (ssh's ProxyCommand for workspaces on a remote Incus server). */
function cliCommand(): { cliCommand?: string[] } {
  const command = thisCliCommand();
  return command ? { cliCommand: command } : {};
}

/** This process's own command line when it is the CLI (bin/tidepool.js, or the bundle), not a test runner hosting it. */
export function thisCliCommand(): string[] | null {
  const entry = process.argv[1];
  return entry && /(?:tidepool\.js|cli\.mjs)$/.test(entry) ? [process.execPath, entry] : null;
}

function unwrap<T>(result: Result<unknown>): T {
  if (result.ok) return result.value as T;
  throw new TidepoolError(result.error);
}

function connectedBackend(client: SocketClient): Backend {
  return {
    mode: 'connected',
    core: null,
    call: async (method, input) => unwrap(await client.call(method, input)),
    onEvent: (listener) => client.onEvent(listener),
    close: async () => client.close(),
  };
}

function standaloneBackend(core: Core, handlers: Handlers, socket: LocalSocketServer | null): Backend {
  return {
    mode: 'standalone',
    core,
    call: async (method, input) => unwrap(await dispatch(handlers, method, input)),
    onEvent: (listener) => core.events.onAny((event: EventName, payload) => listener(event, payload)),
    close: async () => {
      // Work started here (or by another command through this process's socket) would die with it.
      if (core.workspaces.progress().length > 0) {
        process.stderr.write('Waiting for running operations to finish before exiting…\n');
        await core.workspaces.drain();
      }
      await socket?.close();
      await core.dispose();
    },
  };
}
