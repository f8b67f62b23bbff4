/**
 * An in-memory TidepoolApi for component tests. It answers from plain state the test can change, records
 * every call, and pushes events when the test says so (`emit`), the way the core does. Any method's
 * behaviour can be replaced with `handle` (to fail, to hang, to answer differently).
 */
import type {
  EventName,
  EventPayloads,
  MethodInput,
  MethodName,
  MethodOutput,
  TidepoolApi,
} from '../../src-shared/contract.js';
import { METHOD_NAMES } from '../../src-shared/contract.js';
import { TidepoolError } from '../../src-shared/errors.js';
import type {
  HostStatus,
  ImageInfo,
  InstanceStats,
  LogLine,
  OperationProgress,
  OrphanInstance,
  Settings,
  Workspace,
} from '../../src-shared/workspace.js';
import { defaultSettings, makeWorkspace, readyHost } from './fixtures.js';

export interface FakeState {
  workspaces: Workspace[];
  host: HostStatus;
  settings: Settings;
  images: ImageInfo[];
  orphans: OrphanInstance[];
  logs: LogLine[];
  progress: OperationProgress[];
  stats: Record<string, InstanceStats>;
}

type Handler<M extends MethodName> = (input: MethodInput<M>) => Promise<MethodOutput<M>> | MethodOutput<M>;
type AnyListener = (payload: unknown) => void;

export interface FakeApi extends TidepoolApi {
  state: FakeState;
  calls: { method: MethodName; input: unknown }[];
  /** The inputs of every call to one method, oldest first. */
  callsTo<M extends MethodName>(method: M): MethodInput<M>[];
  handle<M extends MethodName>(method: M, handler: Handler<M>): void;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  listenerCount(event: EventName): number;
  /** Changes a workspace in state and pushes workspaceChanged, as the core does. */
  change(id: string, patch: Partial<Workspace>): Workspace;
}

function notFound(): never {
  throw new TidepoolError({ code: 'NOT_FOUND', message: 'That workspace does not exist (it may have been deleted).' });
}

export function createFakeApi(initial: Partial<FakeState> = {}): FakeApi {
  const state: FakeState = {
    workspaces: [],
    host: readyHost(),
    settings: defaultSettings(),
    images: [{ runtime: 'incus', ref: 'tidepool/0.1.0', version: '0.1.0', current: true, sizeBytes: 1_200_000_000, createdAt: null }],
    orphans: [],
    logs: [],
    progress: [],
    stats: {},
    ...initial,
  };
  const listeners = new Map<EventName, Set<AnyListener>>();
  const calls: FakeApi['calls'] = [];
  let terminals = 0;

  const find = (id: string): Workspace => state.workspaces.find((workspace) => workspace.id === id) ?? notFound();
  const emit = <E extends EventName>(event: E, payload: EventPayloads[E]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
  };
  const change = (id: string, patch: Partial<Workspace>): Workspace => {
    const next = { ...find(id), ...patch };
    state.workspaces = state.workspaces.map((workspace) => (workspace.id === id ? next : workspace));
    emit('workspaceChanged', next);
    return next;
  };

  const handlers: { [M in MethodName]: Handler<M> } = {
    getHostStatus: () => state.host,
    listWorkspaces: () => [...state.workspaces],
    getWorkspace: ({ id }) => find(id),
    createWorkspace: (input) => {
      if (state.workspaces.some((workspace) => workspace.name === input.name)) {
        throw new TidepoolError({
          code: 'ALREADY_EXISTS',
          message: `A workspace named “${input.name}” already exists.`,
          fields: { name: 'This name is taken.' },
        });
      }
      const workspace = makeWorkspace({
        name: input.name,
        runtime: input.runtime ?? 'incus',
        kind: input.kind ?? 'container',
        state: 'creating',
        ...(input.resources ? { resources: input.resources } : {}),
        ...(input.network ? { network: input.network } : {}),
        repoUrl: input.repoUrl ?? null,
        sshAgentForwarding: input.sshAgentForwarding ?? false,
      });
      state.workspaces = [...state.workspaces, workspace];
      emit('workspaceChanged', workspace);
      return workspace;
    },
    startWorkspace: ({ id }) => find(id),
    stopWorkspace: ({ id }) => find(id),
    deleteWorkspace: () => null,
    openWorkspace: ({ id }) => {
      const workspace = find(id);
      return { workspace, ideUrl: `http://127.0.0.1:${workspace.idePort ?? 41000}/` };
    },
    cancelOperation: () => null,
    getWorkspaceLogs: ({ id, limit }) => state.logs.filter((line) => line.workspaceId === id).slice(-(limit ?? 1000)),
    getWorkspaceStats: ({ id }) => state.stats[id] ?? null,
    getProgress: () => [...state.progress],
    setNetworkPolicy: ({ id, allow }) => change(id, { network: allow.length ? { mode: 'allow-list', allow } : { mode: 'isolated' } }),
    listOrphans: () => [...state.orphans],
    adoptOrphan: ({ runtime, instanceName }) => {
      const orphan = state.orphans.find((candidate) => candidate.runtime === runtime && candidate.instanceName === instanceName);
      if (!orphan) notFound();
      state.orphans = state.orphans.filter((candidate) => candidate !== orphan);
      const workspace = makeWorkspace({ name: orphan.name ?? instanceName, runtime, instanceName });
      state.workspaces = [...state.workspaces, workspace];
      emit('workspaceChanged', workspace);
      return workspace;
    },
    removeOrphan: ({ runtime, instanceName }) => {
      state.orphans = state.orphans.filter((candidate) => !(candidate.runtime === runtime && candidate.instanceName === instanceName));
      return null;
    },
    listImages: ({ runtime }) => state.images.filter((image) => !runtime || image.runtime === runtime),
    buildImage: () => null,
    getSshInfo: ({ id }) => {
      const workspace = find(id);
      return {
        hostAlias: `${workspace.name}.tidepool`,
        command: `ssh ${workspace.name}.tidepool`,
        vscodeUri: `vscode://vscode-remote/ssh-remote+${workspace.name}.tidepool/home/dev`,
        configPath: '/home/me/.tidepool/ssh_config',
        includedInUserConfig: state.settings.sshConfigInclude,
      };
    },
    listGuestPorts: () => [],
    listForwardedPorts: () => [],
    forwardPort: ({ id, guestPort, hostPort }) => ({
      workspaceId: id,
      guestPort,
      hostPort: hostPort ?? guestPort,
      url: `http://127.0.0.1:${hostPort ?? guestPort}/`,
    }),
    unforwardPort: () => null,
    openTerminal: () => {
      terminals += 1;
      return { terminalId: `10000000-0000-4000-8000-${String(terminals).padStart(12, '0')}` };
    },
    writeTerminal: () => null,
    resizeTerminal: () => null,
    closeTerminal: () => null,
    getSettings: () => state.settings,
    updateSettings: (patch) => {
      state.settings = { ...state.settings, ...patch } as Settings;
      return state.settings;
    },
    showIdeView: () => null,
    hideIdeViews: () => null,
    closeIdeView: () => null,
  };

  const api: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    api[method] = async (input: unknown) => {
      calls.push({ method, input });
      const handler = handlers[method] as (input: unknown) => unknown;
      return handler(input);
    };
  }

  return Object.assign(api as TidepoolApi, {
    state,
    calls,
    callsTo: <M extends MethodName>(method: M) =>
      calls.filter((call) => call.method === method).map((call) => call.input as MethodInput<M>),
    handle: <M extends MethodName>(method: M, handler: Handler<M>) => {
      (handlers as Record<MethodName, unknown>)[method] = handler;
    },
    on: <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) => {
      const set = listeners.get(event) ?? new Set<AnyListener>();
      listeners.set(event, set);
      set.add(listener as AnyListener);
      return () => void set.delete(listener as AnyListener);
    },
    emit,
    listenerCount: (event: EventName) => listeners.get(event)?.size ?? 0,
    change,
  });
}
