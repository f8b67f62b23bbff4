/**
 * The shell's wiring, run in plain Node against a stand-in Electron (testing/fake-electron.ts) and the
 * simulated runtime: what the window, IPC, IDE views, menu, tray and quit do with the core. What Electron
 * itself does with those settings needs the binary (e2e/electron.e2e.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, ipcChannel } from '../../src-shared/contract.js';
import type { Result } from '../../src-shared/errors.js';
import type { Workspace } from '../../src-shared/workspace.js';
import { isLocalSocketLive, localSocketPath } from '../server/local-socket.js';
import { IPC_LISTENING_CHANNEL } from './bridge-channels.js';
import { electron, fake, type FakeMenuItem } from './testing/fake-electron.js';

vi.mock('electron', async () => (await import('./testing/fake-electron.js')).electron);
// electron-store imports Electron itself; conf is what it wraps (same file, same options but the name).
vi.mock('electron-store', async () => {
  const { default: Conf } = await import('conf');
  return {
    default: class extends Conf<Record<string, unknown>> {
      constructor({ name, ...options }: { name: string; cwd: string }) {
        super({ ...options, configName: name });
      }
    },
  };
});

const dataDir = mkdtempSync(join(tmpdir(), 'tidepool-shell-'));

async function until<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const page = () => fake.windows[0]!;
const fromPage = () => ({ sender: { id: page().webContents.id }, senderFrame: { url: 'app://tidepool/index.html', parent: null } });
async function call<T>(method: string, payload: unknown): Promise<T> {
  const result = (await fake.handles.get(ipcChannel(method as never))!(fromPage(), payload)) as Result<T>;
  if (!result.ok) throw new Error(`${method}: ${result.error.code} ${result.error.message}`);
  return result.value;
}
const workspace = (id: string) => call<Workspace>('getWorkspace', { id });
const appCommands = () => page().webContents.sent.filter((args) => args[0] === IPC_EVENT_CHANNEL && args[1] === 'appCommand').map((args) => args[2]);
const findItem = (items: FakeMenuItem[], label: string): FakeMenuItem | undefined =>
  items.flatMap((item) => [item, ...(item.submenu ?? [])]).find((item) => item.label === label);

let id = '';

beforeAll(async () => {
  vi.stubEnv('TIDEPOOL_SIMULATED_DELAY_MS', '5');
  // Never a real runtime from a unit test.
  process.argv.push(`--data-dir=${dataDir}`, '--runtime=simulated');
  await import('./main.js');
  await until(() => fake.windows.length === 1 && fake.trays.length === 1, 'the window and the tray');
});
afterAll(() => {
  process.argv.splice(process.argv.indexOf(`--data-dir=${dataDir}`), 2);
  vi.unstubAllEnvs();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the desktop shell, wired to a core on the simulated runtime', () => {
  it('opens one locked-down window on app://tidepool/ with the preload, the data folder from --data-dir', () => {
    expect(fake.paths.get('userData')).toBe(dataDir);
    expect(page().options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(String(page().options.webPreferences.preload)).toMatch(/preload[/\\]index\.cjs$/);
    expect(page().webContents.loadedUrl).toBe('app://tidepool/index.html');
    expect(fake.privilegedSchemes).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('serves nothing outside the UI folder, and every answer carries the CSP', async () => {
    const serve = fake.protocolHandlers.get('app')!;
    for (const url of ['app://tidepool/..%2f..%2fpackage.json', 'app://tidepool/no-such-file.js']) {
      const response = await serve(new Request(url));
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    expect((await serve(new Request('app://tidepool/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('denies every permission and navigation away for the app page, and opens new windows only in the browser', () => {
    const check = electron.session.defaultSession.checkHandler!;
    expect(check(null, 'media', 'app://tidepool')).toBe(false);
    expect(check(null, 'clipboard-read', 'app://tidepool')).toBe(false);
    const navigation = { url: 'https://example.com/', isMainFrame: true, preventDefault: vi.fn() };
    page().webContents.emit('will-navigate', navigation);
    expect(navigation.preventDefault).toHaveBeenCalled();
    expect(page().webContents.windowOpenHandler!({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' });
    expect(fake.openedExternally).toContain('https://example.com/docs');
  });

  it('shares its core with the tidepool command over the local socket', async () => {
    expect(await isLocalSocketLive(localSocketPath(dataDir))).toBe(true);
  });

  it('answers the page over IPC and, once it listens, pushes core events to it', async () => {
    fake.ipcListeners.get(IPC_LISTENING_CHANNEL)!(fromPage());
    const created = await call<Workspace>('createWorkspace', { name: 'shell', runtime: 'simulated' });
    expect(created.runtime).toBe('simulated');
    id = created.id;
    await until(async () => (await workspace(id)).state === 'ready', 'the workspace to be ready');
    await until(() => page().webContents.sent.some((args) => args[1] === 'workspaceChanged'), 'a workspaceChanged event');
  });

  it('shows the IDE as a view in the workspace’s own session, on its loopback origin, without a preload', async () => {
    await until(async () => (await workspace(id)).state === 'ready', 'ready');
    await call('showIdeView', { id, bounds: { x: 200, y: 40, width: 900, height: 700 } });
    const view = fake.views.at(-1)!;
    expect(view.options.webPreferences).toMatchObject({ partition: `persist:ws-${id}`, sandbox: true, contextIsolation: true });
    expect(view.options.webPreferences.preload).toBeUndefined();
    expect(new URL(view.webContents.loadedUrl!).hostname).toBe('127.0.0.1');
    expect(view.bounds).toEqual({ x: 200, y: 40, width: 900, height: 700 });
    expect(view.visible).toBe(true);
    const origin = new URL(view.webContents.loadedUrl!).origin;
    const ideSession = fake.sessions.get(`persist:ws-${id}`)!;
    expect(ideSession.checkHandler!(null, 'clipboard-read', origin)).toBe(true);
    expect(ideSession.checkHandler!(null, 'media', origin)).toBe(false);
    await call('hideIdeViews', {});
    expect(view.visible).toBe(false);
  });

  it('routes Ctrl+Tab inside the IDE to Tidepool’s tabs and leaves Cmd+W to the IDE', () => {
    const contents = fake.views.at(-1)!.webContents;
    const tab = { preventDefault: vi.fn() };
    contents.emit('before-input-event', tab, { type: 'keyDown', key: 'Tab', code: 'Tab', control: true, meta: false, shift: false, alt: false });
    expect(tab.preventDefault).toHaveBeenCalled();
    expect(appCommands()).toContainEqual({ command: 'cycleTab', direction: 1 });
    const close = { preventDefault: vi.fn() };
    contents.emit('before-input-event', close, { type: 'keyDown', key: 'w', code: 'KeyW', control: false, meta: true, shift: false, alt: false });
    expect(close.preventDefault).not.toHaveBeenCalled();
    expect(contents.ignoreMenuShortcuts).toBe(true);
  });

  it('has New Workspace… on Cmd+N, which asks the page to open the create dialog, and the Edit menu roles', () => {
    const item = findItem(fake.applicationMenu, 'New Workspace…')!;
    expect(item.accelerator).toBe('CmdOrCtrl+N');
    item.click!();
    expect(appCommands()).toContainEqual({ command: 'newWorkspace' });
    expect(fake.applicationMenu.map((entry) => entry.role)).toEqual(expect.arrayContaining(['editMenu', 'viewMenu', 'windowMenu']));
  });

  it('lists the workspace in the tray; Stop there stops it and closes its IDE view; Open starts it and focuses its tab', async () => {
    const tray = fake.trays[0]!;
    await until(() => findItem(tray.menu, 'shell — Running'), 'the tray to show the workspace running');
    expect(String((tray.image as { path: string }).path)).toMatch(/trayRunningTemplate\.png$/);
    findItem(findItem(tray.menu, 'shell — Running')!.submenu!, 'Stop')!.click!();
    await until(async () => (await workspace(id)).state === 'stopped', 'the workspace to stop');
    expect(fake.views.at(-1)!.webContents.isDestroyed()).toBe(true);
    await until(() => findItem(tray.menu, 'shell — Stopped'), 'the tray to show it stopped');
    findItem(findItem(tray.menu, 'shell — Stopped')!.submenu!, 'Open')!.click!();
    expect(appCommands()).toContainEqual({ command: 'focusWorkspace', id });
    await until(async () => (await workspace(id)).state === 'ready', 'the workspace to start again');
  });

  it('asks on quit what to do with running workspaces, stops them when told, remembers, then quits', async () => {
    fake.dialogAnswers.push({ response: 0, checkboxChecked: true });
    electron.app.quit();
    await until(() => fake.quitCompleted, 'the quit to complete', 20_000);
    expect(fake.dialogs.at(-1)).toMatchObject({ message: '“shell” is still running.' });
    expect(await isLocalSocketLive(localSocketPath(dataDir))).toBe(false);
    const { ConfStateStore } = await import('../store/conf-state-store.js');
    const stored = new ConfStateStore(dataDir);
    expect(stored.get('settings')?.quitBehaviour).toBe('stop');
    expect(stored.get('workspaces')?.[id]?.state).toBe('stopped');
  });
});
