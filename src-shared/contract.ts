/**
 * The one declaration of Tidepool's API: every method and pushed event, with its payload schema and the
 * error codes it can return. The Electron preload, the main-side handlers, the WebSocket server and the
 * renderer client are all derived from this table; adding a method is one entry here plus its handler.
 */
import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import {
  addIncusRemoteInputSchema,
  cidrSchema,
  incusRemoteNameSchema,
  createWorkspaceInputSchema,
  deleteWorkspaceInputSchema,
  portSchema,
  runtimeIdSchema,
  settingsPatchSchema,
  stopWorkspaceInputSchema,
  workspaceIdSchema,
  workspaceRefSchema,
} from './schemas.js';
import type {
  ForwardedPort,
  GuestPort,
  HostStatus,
  ImageInfo,
  InstanceStats,
  LogLine,
  OperationProgress,
  OrphanInstance,
  Settings,
  SshInfo,
  Workspace,
} from './workspace.js';

interface MethodSpec<I extends z.ZodType, O> {
  input: I;
  errors: readonly ErrorCode[];
  /** Type carrier only; never read at run time. */
  output?: O;
}

function method<O>() {
  return <I extends z.ZodType>(input: I, errors: readonly ErrorCode[] = []): MethodSpec<I, O> => ({ input, errors });
}

const none = z.strictObject({});
/** A rectangle in CSS pixels of the window's content area (where the renderer's IDE placeholder is). */
const viewBoundsSchema = z.strictObject({
  x: z.number().int().min(0).max(100_000),
  y: z.number().int().min(0).max(100_000),
  width: z.number().int().min(0).max(100_000),
  height: z.number().int().min(0).max(100_000),
});
const lifecycleErrors = ['NOT_FOUND', 'BUSY', 'INVALID_STATE', 'RUNTIME_UNAVAILABLE', 'RUNTIME_ERROR', 'TIMEOUT'] as const;

export const methods = {
  getHostStatus: method<HostStatus>()(z.strictObject({ refresh: z.boolean().optional() })),
  listWorkspaces: method<Workspace[]>()(none),
  getWorkspace: method<Workspace>()(workspaceRefSchema, ['NOT_FOUND']),
  /** Records the workspace and returns it at once; creation goes on, reported by events. */
  createWorkspace: method<Workspace>()(createWorkspaceInputSchema, [
    'ALREADY_EXISTS',
    'RUNTIME_UNAVAILABLE',
    'RUNTIME_NOT_SET_UP',
    'IMAGE_MISSING',
  ]),
  startWorkspace: method<Workspace>()(workspaceRefSchema, lifecycleErrors),
  stopWorkspace: method<Workspace>()(stopWorkspaceInputSchema, lifecycleErrors),
  deleteWorkspace: method<null>()(deleteWorkspaceInputSchema, lifecycleErrors),
  /** Starts the workspace if needed and returns the IDE's URL once it answers. */
  openWorkspace: method<{ workspace: Workspace; ideUrl: string }>()(workspaceRefSchema, [
    ...lifecycleErrors,
    'GUEST_UNREACHABLE',
    'LOCAL_NETWORK_DENIED',
  ]),
  cancelOperation: method<null>()(workspaceRefSchema, ['NOT_FOUND', 'INVALID_STATE']),
  getWorkspaceLogs: method<LogLine[]>()(
    z.strictObject({ id: workspaceIdSchema, limit: z.number().int().min(1).max(5000).optional() }),
    ['NOT_FOUND'],
  ),
  getWorkspaceStats: method<InstanceStats | null>()(workspaceRefSchema, ['NOT_FOUND']),
  getProgress: method<OperationProgress[]>()(none),
  setNetworkPolicy: method<Workspace>()(
    z.strictObject({ id: workspaceIdSchema, allow: z.array(cidrSchema).max(32) }),
    ['NOT_FOUND', 'BUSY', 'RUNTIME_ERROR'],
  ),

  listOrphans: method<OrphanInstance[]>()(none),
  adoptOrphan: method<Workspace>()(
    z.strictObject({ runtime: runtimeIdSchema, instanceName: z.string().min(1).max(100) }),
    ['NOT_FOUND', 'ALREADY_EXISTS'],
  ),
  removeOrphan: method<null>()(
    z.strictObject({ runtime: runtimeIdSchema, instanceName: z.string().min(1).max(100) }),
    ['NOT_FOUND', 'RUNTIME_ERROR'],
  ),

  listImages: method<ImageInfo[]>()(z.strictObject({ runtime: runtimeIdSchema.optional() })),
  buildImage: method<null>()(z.strictObject({ runtime: runtimeIdSchema.optional(), force: z.boolean().optional() }), [
    'BUSY',
    'RUNTIME_UNAVAILABLE',
    'RUNTIME_ERROR',
  ]),

  getSshInfo: method<SshInfo>()(workspaceRefSchema, ['NOT_FOUND']),
  listGuestPorts: method<GuestPort[]>()(workspaceRefSchema, ['NOT_FOUND', 'INVALID_STATE', 'GUEST_UNREACHABLE']),
  listForwardedPorts: method<ForwardedPort[]>()(workspaceRefSchema, ['NOT_FOUND']),
  forwardPort: method<ForwardedPort>()(
    z.strictObject({ id: workspaceIdSchema, guestPort: portSchema, hostPort: portSchema.optional() }),
    ['NOT_FOUND', 'INVALID_STATE', 'GUEST_UNREACHABLE', 'ALREADY_EXISTS'],
  ),
  unforwardPort: method<null>()(z.strictObject({ id: workspaceIdSchema, guestPort: portSchema }), ['NOT_FOUND']),

  /** Opens a shell in the workspace; bytes flow over the terminal stream, not this channel. */
  openTerminal: method<{ terminalId: string }>()(
    z.strictObject({
      id: workspaceIdSchema,
      cols: z.number().int().min(2).max(1000),
      rows: z.number().int().min(1).max(500),
    }),
    ['NOT_FOUND', 'INVALID_STATE', 'GUEST_UNREACHABLE'],
  ),
  writeTerminal: method<null>()(
    z.strictObject({ terminalId: z.string().uuid(), data: z.string().max(1_000_000) }),
    ['NOT_FOUND'],
  ),
  resizeTerminal: method<null>()(
    z.strictObject({
      terminalId: z.string().uuid(),
      cols: z.number().int().min(2).max(1000),
      rows: z.number().int().min(1).max(500),
    }),
    ['NOT_FOUND'],
  ),
  closeTerminal: method<null>()(z.strictObject({ terminalId: z.string().uuid() })),

  getSettings: method<Settings>()(none),
  updateSettings: method<Settings>()(settingsPatchSchema),

  /** Trusts Tidepool on a remote Incus server with a token made there, pins its certificate, lists it in the settings. */
  addIncusRemote: method<Settings>()(addIncusRemoteInputSchema, ['ALREADY_EXISTS', 'RUNTIME_UNAVAILABLE', 'UNAUTHORIZED', 'TIMEOUT']),
  /** Forgets a remote; refused while workspaces live on it. */
  removeIncusRemote: method<Settings>()(z.strictObject({ name: incusRemoteNameSchema }), ['NOT_FOUND', 'BUSY']),
  /** The Incus server new workspaces are created on: a remote's name, or null for this computer. */
  useIncusRemote: method<Settings>()(z.strictObject({ name: incusRemoteNameSchema.nullable() }), ['NOT_FOUND']),

  /**
   * Desktop app only: the IDE is a native view that main places over the renderer's placeholder. Show the
   * workspace's IDE at these bounds (hiding any other IDE view); main loads the workspace's own IDE URL.
   */
  showIdeView: method<null>()(z.strictObject({ id: workspaceIdSchema, bounds: viewBoundsSchema }), [
    'NOT_FOUND',
    'INVALID_STATE',
  ]),
  /** Desktop app only: hide every IDE view (another tab, a dialog or a menu is in front). */
  hideIdeViews: method<null>()(none),
  /** Desktop app only: the workspace's IDE tab closed; release its view. */
  closeIdeView: method<null>()(workspaceRefSchema),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = Exclude<Methods[M]['output'], undefined>;

/** Events pushed from the core to every client. */
export interface EventPayloads {
  workspaceChanged: Workspace;
  workspaceRemoved: { id: string };
  progress: OperationProgress;
  log: LogLine;
  hostChanged: HostStatus;
  terminalData: { terminalId: string; data: string };
  terminalExit: { terminalId: string; code: number | null };
  imageProgress: { runtime: string; phase: string; line: string; done: boolean; failed: boolean };
  /** Desktop app only: the menu, the tray or a shortcut pressed inside an IDE view asks the UI to act. */
  appCommand: AppCommand;
}

export type AppCommand =
  | { command: 'newWorkspace' }
  /** Bring the workspace's IDE tab forward (main has already started the workspace if it was stopped). */
  | { command: 'focusWorkspace'; id: string }
  | { command: 'cycleTab'; direction: 1 | -1 };

export type EventName = keyof EventPayloads;
export const EVENT_NAMES: readonly EventName[] = [
  'workspaceChanged',
  'workspaceRemoved',
  'progress',
  'log',
  'hostChanged',
  'terminalData',
  'terminalExit',
  'imageProgress',
  'appCommand',
];

/** Electron IPC channel names, derived from the tables above. */
export const ipcChannel = (name: MethodName): string => `tidepool:${name}`;
export const IPC_EVENT_CHANNEL = 'tidepool:event';

export type Unsubscribe = () => void;

/** What the renderer sees: one async function per method plus a typed event subscription. */
export type TidepoolApi = {
  [M in MethodName]: (input: MethodInput<M>) => Promise<MethodOutput<M>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe;
};
