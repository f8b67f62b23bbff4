/**
 * The desktop app's main process: the only place (with its siblings in this folder) that imports
 * Electron. It creates the core on the user's data folder, shares it with the `tidepool` CLI over the
 * local socket, and wires the window, IPC, IDE views, menu, tray, notifications, quit and wake handling.
 *
 * Flags (for development and tests), as for the CLI: `--data-dir=<path>`, `--runtime=<id>`;
 * TIDEPOOL_SIMULATED=1 offers the simulated runtime (`--runtime=simulated` uses it).
 */
import { app, dialog, session } from 'electron';
import { TidepoolError, toTidepoolError } from '../../src-shared/errors.js';
import { RUNTIME_IDS } from '../../src-shared/workspace.js';
import { createHandlers } from '../api/handlers.js';
import { simulatedDelayMs, simulatedStateFile } from '../cli/backend.js';
import { createCore, type Core } from '../core.js';
import { SimulatedRuntime } from '../runtimes/simulated/simulated-runtime.js';
import { attachLocalSocket, isLocalSocketLive, localSocketPath, type LocalSocketServer } from '../server/local-socket.js';
import type { Handlers } from '../api/dispatch.js';
import { installAppMenu } from './app-menu.js';
import { registerAppScheme, serveAppFiles } from './app-protocol.js';
import { ElectronStateStore } from './electron-state-store.js';
import { IdeViews } from './ide-views.js';
import { IpcBridge } from './ipc.js';
import { notifyOperationEnds } from './notifications.js';
import { assetsDir, PRELOAD_PATH, RENDERER_DIR } from './paths.js';
import { handleQuit } from './quit.js';
import { recheckAfterWake } from './resume.js';
import { TidepoolTray } from './tray.js';
import type { TrayAction } from './tray-menu.js';
import { denyByDefaultEverywhere, guardSession } from './web-contents-guard.js';
import { AppWindow } from './window.js';

const flag = (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const dataDirFlag = flag('data-dir');
const runtimeFlag = RUNTIME_IDS.find((id) => id === flag('runtime'));
// Before anything reads it: the single-instance lock and electron-store both live in userData.
if (dataDirFlag) app.setPath('userData', dataDirFlag);

registerAppScheme();

let appWindow: AppWindow | null = null;

if (!app.requestSingleInstanceLock()) {
  // Tidepool is already open: that instance brings its window forward (second-instance below).
  app.quit();
} else {
  app.on('second-instance', () => appWindow?.show());
  app.whenReady().then(start).catch(fail);
}

function fail(error: unknown): void {
  const failure = toTidepoolError(error);
  dialog.showErrorBox('Tidepool could not start', [failure.message, failure.hint, failure.detail].filter(Boolean).join('\n\n'));
  app.exit(1);
}

/** TIDEPOOL_SIMULATED=1 (and TIDEPOOL_SIMULATED_DELAY_MS) as for the CLI: a stand-in runtime for development and tests. */
function simulatedRuntime(dataDir: string) {
  if (process.env.TIDEPOOL_SIMULATED !== '1' && runtimeFlag !== 'simulated') return {};
  const delay = simulatedDelayMs();
  const delays = delay === undefined ? undefined : { create: delay, start: delay, stop: delay, delete: delay, getIp: delay };
  return {
    simulated: new SimulatedRuntime({ stateFile: simulatedStateFile(dataDir), ...(delays ? { delays } : {}) }),
    ...(delay === undefined ? {} : { simulatedGuestStepMs: delay }),
  };
}

/**
 * Nothing else may drive the same workspaces: a running `tidepool serve` or CLI command holds the socket.
 * False when the user chose to quit instead.
 */
async function waitForDataFolder(dataDir: string): Promise<boolean> {
  while (await isLocalSocketLive(localSocketPath(dataDir))) {
    const { response } = await dialog.showMessageBox({
      type: 'warning',
      message: 'Another Tidepool process is using your workspaces.',
      detail: 'A `tidepool serve` or a tidepool command is running on the same data folder. Stop it (or let the command finish), then try again.',
      buttons: ['Try Again', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    if (response === 1) return false;
  }
  return true;
}

/** Lets the `tidepool` CLI reach this core instead of opening the same state a second time. */
async function shareWithCli(core: Core, handlers: Handlers): Promise<LocalSocketServer | null> {
  try {
    return await attachLocalSocket({ socketPath: localSocketPath(core.dataDir), handlers, events: core.events });
  } catch (error) {
    const failure = toTidepoolError(error);
    if (failure.code === 'BUSY') throw failure;
    // E.g. a data folder path too long for a socket: the app works, the CLI just cannot join it.
    console.warn(`Tidepool: the tidepool command cannot reach this app: ${failure.message}`);
    return null;
  }
}

async function start(): Promise<void> {
  denyByDefaultEverywhere();
  serveAppFiles(RENDERER_DIR);
  guardSession(session.defaultSession, () => ({ kind: 'app' }));

  const dataDir = app.getPath('userData');
  if (!(await waitForDataFolder(dataDir))) {
    app.exit(0);
    return;
  }
  const store = new ElectronStateStore(dataDir);
  const core = await createCore({
    dataDir,
    store,
    ...simulatedRuntime(dataDir),
    ...(runtimeFlag ? { runtimeOverride: runtimeFlag } : {}),
    keepWarmPool: true,
  });
  const handlers = createHandlers(core);
  const socket = await shareWithCli(core, handlers).catch(async (error: unknown) => {
    await core.dispose();
    throw error instanceof TidepoolError ? error : toTidepoolError(error);
  });

  const ipc = new IpcBridge(core, handlers);
  const views = new IdeViews(
    () => appWindow?.current() ?? null,
    (command) => ipc.send('appCommand', command),
    (message) => console.warn(`Tidepool: ${message}`),
  );
  const window = new AppWindow(PRELOAD_PATH, (created) => {
    ipc.attach(created);
    created.on('closed', () => views.closeAll());
  });
  appWindow = window;
  core.ideViews = views;
  // A view is only useful on a running IDE; a restart may bring the tunnel back on another port.
  core.events.on('workspaceChanged', (workspace) => {
    if (workspace.state !== 'ready' && workspace.state !== 'configuring') views.close(workspace.id);
  });
  core.events.on('workspaceRemoved', ({ id }) => void views.forget(id).catch(() => undefined));

  /** From the tray or a notification: start it if stopped, and bring its IDE tab forward. */
  const openWorkspace = (id: string): void => {
    const workspace = core.workspaces.list().find((candidate) => candidate.id === id);
    if (!workspace) return;
    if (workspace.state === 'stopped' || workspace.state === 'error') void core.workspaces.start(id).catch(() => undefined);
    window.show();
    ipc.send('appCommand', { command: 'focusWorkspace', id });
  };
  const newWorkspace = (): void => {
    window.show();
    ipc.send('appCommand', { command: 'newWorkspace' });
  };
  const onTray = (action: TrayAction): void => {
    switch (action.kind) {
      case 'open':
        return openWorkspace(action.id);
      case 'start':
        return void core.workspaces.start(action.id).catch(() => undefined);
      case 'stop':
        return void core.workspaces.stop(action.id).catch(() => undefined);
      case 'newWorkspace':
        return newWorkspace();
      case 'show':
        return void window.show();
      case 'quit':
        return app.quit();
    }
  };

  installAppMenu(newWorkspace);
  const tray = new TidepoolTray(core, assetsDir(), onTray);
  notifyOperationEnds(core, () => window.isFocused(), openWorkspace);
  handleQuit(core, () => window.current(), async () => {
    tray.destroy();
    views.closeAll();
    ipc.dispose();
    await socket?.close();
  });
  recheckAfterWake(core);
  app.on('activate', () => window.show());
  // macOS apps stay open without windows (the tray and the Dock bring the window back); elsewhere closing
  // the window quits, which asks about running workspaces first.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  window.show();
  if (store.recovery) {
    void dialog.showMessageBox({
      type: 'warning',
      message: 'Tidepool could not read its list of workspaces and started with an empty one.',
      detail: `The unreadable file was kept as ${store.recovery.corruptCopy} (${store.recovery.reason}). Your workspaces' instances are untouched: adopt them from the list of unclaimed instances.`,
    });
  }
  // Catch up with what changed while Tidepool was closed; workspaces left running are reattached.
  void core.workspaces.reconcile();
}
