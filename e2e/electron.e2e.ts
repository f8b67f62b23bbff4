/**
 * The desktop app itself, driven by Playwright's `_electron` on the simulated runtime: the window opens on
 * app://tidepool/ with the workspace list, Electron reports it isolated and sandboxed, the bridge is the only
 * thing the page gets, a workspace's IDE opens as a native view in its own session, and quitting stops or
 * leaves workspaces as told (a relaunch reattaches). Needs the Electron binary and a display: on this Linux
 * build machine it always skips, saying why; run it on a Mac.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import type { MethodName } from '../src-shared/contract.js';
import type { Result } from '../src-shared/errors.js';
import type { TidepoolBridge } from '../src-shared/transport.js';
import type { Workspace } from '../src-shared/workspace.js';
import { Screenshots } from './harness/browser.js';
import { buildAppIfStale, electronBinary, electronMissing, ROOT } from './harness/electron.js';
import type { Flow } from './harness/runner.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function desktopFlow(): Flow {
  const shots = new Screenshots('electron');
  const name = 'desktop-e2e';
  let dataDir = '';
  let app: ElectronApplication | null = null;
  let page: Page;

  const launch = async (): Promise<void> => {
    app = await _electron.launch({
      executablePath: electronBinary()!,
      args: [ROOT, `--data-dir=${dataDir}`, '--runtime=simulated'],
      env: { ...process.env, TIDEPOOL_SIMULATED_DELAY_MS: '50' } as Record<string, string>,
    });
    page = await app.firstWindow();
    await page.getByRole('navigation', { name: 'Workspaces' }).waitFor({ timeout: 30_000 });
  };
  /** Calls the API the way the UI does, through window.tidepool. */
  const invoke = (method: MethodName | string, payload: unknown): Promise<Result<unknown>> =>
    page.evaluate(
      ([m, p]) => (globalThis as unknown as { tidepool: TidepoolBridge }).tidepool.invoke(m as MethodName, p),
      [method, payload] as const,
    );
  const workspaces = async (): Promise<Workspace[]> => {
    const result = await invoke('listWorkspaces', {});
    check(result.ok, `listWorkspaces failed: ${JSON.stringify(result)}`);
    return result.value as Workspace[];
  };
  const waitForState = async (state: string, timeoutMs = 60_000): Promise<Workspace> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [workspace] = await workspaces();
      if (workspace?.state === state) return workspace;
      check(Date.now() < deadline, `the workspace never became ${state}: ${JSON.stringify(workspace)}`);
      await page.waitForTimeout(200);
    }
  };
  const quit = async (behaviour: 'stop' | 'leave-running'): Promise<void> => {
    // The quit question is a native dialog Playwright cannot answer: give the answer as the setting.
    const set = await invoke('updateSettings', { quitBehaviour: behaviour });
    check(set.ok, `updateSettings failed: ${JSON.stringify(set)}`);
    await app!.close();
    app = null;
  };

  return {
    name: 'Desktop app (Electron window, simulated runtime)',
    prerequisites: async () => electronMissing(),
    setUp: async () => {
      buildAppIfStale();
      dataDir = mkdtempSync(join(tmpdir(), 'tidepool-electron-e2e-'));
      await launch();
    },
    steps: [
      {
        name: 'the window shows the workspace list, served from app://tidepool/',
        run: async () => {
          check(page.url().startsWith('app://tidepool/'), `the UI loaded from ${page.url()}`);
          await shots.take(page, 'window');
        },
      },
      {
        name: "the window's renderer runs in the OS sandbox, without Node, and its page gets only window.tidepool",
        run: async () => {
          const sandboxed = await app!.evaluate(({ app: electronApp, BrowserWindow }) => {
            const pid = BrowserWindow.getAllWindows()[0]!.webContents.getOSProcessId();
            return electronApp.getAppMetrics().find((metric) => metric.pid === pid)?.sandboxed ?? null;
          });
          // Electron reports OS-level sandboxing on macOS and Windows only.
          if (process.platform !== 'linux') check(sandboxed === true, `the renderer is not sandboxed (${String(sandboxed)})`);
          const seen = await page.evaluate(() => {
            const scope = globalThis as unknown as Record<string, unknown> & { tidepool: TidepoolBridge };
            return { require: typeof scope.require, process: typeof scope.process, bridge: Object.keys(scope.tidepool).sort(), host: scope.tidepool.host };
          });
          check(seen.require === 'undefined' && seen.process === 'undefined', `Node leaks into the page: ${JSON.stringify(seen)}`);
          check(JSON.stringify(seen.bridge) === '["host","invoke","subscribe"]', `the bridge exposes ${seen.bridge.join(', ')}`);
          check(seen.host === 'electron', `host is ${seen.host}`);
        },
      },
      {
        name: 'the bridge refuses a method the contract does not have',
        run: async () => {
          const refused = await invoke('deleteEverything', {});
          check(!refused.ok && refused.error.code === 'INVALID_INPUT', `an unknown method answered ${JSON.stringify(refused)}`);
          check((await workspaces()).length === 0, 'a fresh data folder lists workspaces');
        },
      },
      {
        name: 'a workspace created in the window opens its IDE as a native view in its own session',
        run: async () => {
          await page.getByRole('button', { name: 'Create your first workspace' }).click();
          const dialog = page.getByRole('dialog');
          await dialog.getByLabel('Name').fill(name);
          await dialog.getByRole('button', { name: 'Create' }).click();
          await dialog.waitFor({ state: 'detached', timeout: 120_000 });
          const workspace = await waitForState('ready');
          const deadline = Date.now() + 30_000;
          let views: { url: string; visible: boolean }[] = [];
          while (Date.now() < deadline) {
            views = await app!.evaluate(({ BrowserWindow, WebContentsView }) =>
              BrowserWindow.getAllWindows()[0]!.contentView.children
                .filter((child): child is InstanceType<typeof WebContentsView> => child instanceof WebContentsView)
                .map((view) => ({ url: view.webContents.getURL(), visible: view.getVisible() })),
            );
            if (views.some((view) => view.visible && view.url.startsWith('http://127.0.0.1:'))) break;
            await page.waitForTimeout(200);
          }
          check(views.some((view) => view.visible && view.url.startsWith('http://127.0.0.1:')), `no visible IDE view: ${JSON.stringify(views)}`);
          const partitions = await app!.evaluate(({ session }, id) => session.fromPartition(`persist:ws-${id}`).storagePath, workspace.id);
          check(typeof partitions === 'string' && partitions.includes(workspace.id), `no persistent session for the workspace: ${partitions}`);
          await shots.take(page, 'ide-view');
        },
      },
      {
        name: 'quitting with “leave running” keeps it running, and a relaunch reattaches',
        run: async () => {
          await quit('leave-running');
          await launch();
          const workspace = await waitForState('ready');
          check(workspace.name === name, `relaunched with ${JSON.stringify(workspace)}`);
        },
      },
      {
        name: 'quitting with “stop” stops it first',
        run: async () => {
          await quit('stop');
          await launch();
          await waitForState('stopped', 10_000);
        },
      },
    ],
    onFailure: async (step) => {
      if (app) await shots.take(page, `failed-${step.replace(/\W+/g, '-')}`).catch(() => undefined);
    },
    tearDown: async () => {
      if (app) await (app as ElectronApplication).close().catch(() => undefined);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const flows: Flow[] = [desktopFlow()];
