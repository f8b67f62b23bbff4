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
import { addIncusRemoteInputSchema, fieldErrors } from '../../src-shared/schemas.js';
import type {
  HostStatus,
  ImageInfo,
  IncusRemote,
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

function invalidInput(fields: Record<string, string>, message?: string, hint?: string): never {
  const [first] = Object.entries(fields);
  throw new TidepoolError({
    code: 'INVALID_INPUT',
    message: message ?? (first ? `${first[0]}: ${first[1]}` : 'Invalid request.'),
    ...(hint ? { hint } : {}),
    fields,
  });
}

const NEW_TOKEN_HINT = 'On the server, run `incus config trust add tidepool` and paste the whole token it prints.';

/** The parts of an `incus config trust add` token (base64 of JSON) a server is reached and pinned with. */
function decodeTrustToken(token: string): { fingerprint: string; addresses: string[]; secret: string } {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(atob(token.trim())) as Record<string, unknown>;
  } catch {
    invalidInput({ token: 'Not an Incus trust token.' }, 'That is not an Incus trust token.', NEW_TOKEN_HINT);
  }
  const fingerprint = typeof parsed.fingerprint === 'string' ? parsed.fingerprint.replace(/:/g, '').toLowerCase() : '';
  const secret = typeof parsed.secret === 'string' ? parsed.secret : '';
  if (!/^[0-9a-f]{64}$/.test(fingerprint) || !secret) invalidInput({ token: 'Not an Incus trust token.' }, 'That is not an Incus trust token.', NEW_TOKEN_HINT);
  const expiresAt = typeof parsed.expires_at === 'string' && !parsed.expires_at.startsWith('0001-') ? Date.parse(parsed.expires_at) : null;
  if (expiresAt !== null && expiresAt < Date.now()) invalidInput({ token: 'Expired.' }, 'This trust token has expired.', 'Create a new one on the server with `incus config trust add tidepool`.');
  const addresses = Array.isArray(parsed.addresses) ? parsed.addresses.filter((address): address is string => typeof address === 'string') : [];
  return { fingerprint, addresses, secret };
}

function remoteUrl(address: string): string {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(address) ? address : `https://${address}`);
  } catch {
    invalidInput({ url: 'Use https://host:8443.' }, `“${address}” is not a server address.`);
  }
  if (url.protocol !== 'https:') invalidInput({ url: 'Use https://host:8443.' }, 'Incus remotes are reached over https only.');
  return `https://${url.hostname}:${url.port || '8443'}`;
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
  // Incus servers accept a trust token once.
  const usedTrustSecrets = new Set<string>();

  const find = (id: string): Workspace => state.workspaces.find((workspace) => workspace.id === id) ?? notFound();
  const emit = <E extends EventName>(event: E, payload: EventPayloads[E]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(payload);
  };
  const knownRemote = (name: string): void => {
    if (state.settings.incus.remotes.some((remote) => remote.name === name)) return;
    throw new TidepoolError({ code: 'NOT_FOUND', message: `No Incus remote named “${name}” is added.` });
  };
  /** As main: choosing a remote for new workspaces makes Incus the runtime; back to this computer, automatic. */
  const setIncus = (patch: Partial<Settings['incus']>): Settings => {
    const chosen = typeof patch.activeRemote === 'string' && patch.activeRemote !== state.settings.incus.activeRemote;
    const local = patch.activeRemote === null && state.settings.runtime === 'incus';
    const runtime = chosen ? { runtime: 'incus' as const } : local ? { runtime: 'auto' as const } : {};
    state.settings = { ...state.settings, incus: { ...state.settings.incus, ...patch }, ...runtime };
    return state.settings;
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
      const runtime = input.runtime ?? 'incus';
      const location = runtime === 'incus' ? state.settings.incus.activeRemote : null;
      const workspace = makeWorkspace({
        name: input.name,
        runtime,
        ...(location ? { location } : {}),
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
    addIncusRemote: (input) => {
      // Validated as main's dispatch does, so forms see the same per-field messages.
      const parsed = addIncusRemoteInputSchema.safeParse(input);
      if (!parsed.success) invalidInput(fieldErrors(parsed.error));
      const { name, token, url, use } = parsed.data;
      if (state.settings.incus.remotes.some((remote) => remote.name === name)) {
        throw new TidepoolError({
          code: 'ALREADY_EXISTS',
          message: `An Incus remote named “${name}” is already added.`,
          hint: 'Choose another name, or remove that remote first.',
          fields: { name: 'Already added.' },
        });
      }
      const decoded = decodeTrustToken(token);
      const address = url || (decoded.addresses[0] ? `https://${decoded.addresses[0]}` : null);
      if (!address) invalidInput({ url: 'Needed for this token.' }, 'The trust token does not say where the server is.', 'Enter the server address as https://host:8443.');
      const remote: IncusRemote = { name, url: remoteUrl(address), serverFingerprint: decoded.fingerprint };
      if (usedTrustSecrets.has(decoded.secret)) {
        throw new TidepoolError({
          code: 'UNAUTHORIZED',
          message: `The Incus server at ${remote.url} did not accept the trust token.`,
          hint: 'A token works once; create a new one with `incus config trust add tidepool` and try again.',
        });
      }
      usedTrustSecrets.add(decoded.secret);
      const incus = state.settings.incus;
      return setIncus({ remotes: [...incus.remotes, remote], activeRemote: use ? name : incus.activeRemote });
    },
    removeIncusRemote: ({ name }) => {
      knownRemote(name);
      const living = state.workspaces.filter((workspace) => workspace.runtime === 'incus' && workspace.location === name);
      if (living.length > 0) {
        throw new TidepoolError({
          code: 'BUSY',
          message: `${living.length === 1 ? 'A workspace lives' : `${living.length} workspaces live`} on “${name}”: ${living.map((workspace) => workspace.name).join(', ')}.`,
          hint: 'Delete them first; Tidepool could not reach them without this remote.',
        });
      }
      const incus = state.settings.incus;
      return setIncus({
        remotes: incus.remotes.filter((remote) => remote.name !== name),
        activeRemote: incus.activeRemote === name ? null : incus.activeRemote,
      });
    },
    useIncusRemote: ({ name }) => {
      if (name !== null) knownRemote(name);
      return setIncus({ activeRemote: name });
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
