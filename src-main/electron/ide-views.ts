/**
 * Each open IDE tab is a native WebContentsView over the renderer's placeholder: one per workspace, each
 * in the workspace's own persistent session (`persist:ws-<id>`: code-server's cookie, editor state and
 * service workers survive restarts and stay apart from other workspaces'). No preload, sandboxed, kept on
 * the workspace's tunnel origin. Views always paint above the page, so the renderer hides them whenever a
 * dialog or another tab is in front; bounds come from the renderer in CSS pixels.
 */
import { session, WebContentsView, type BrowserWindow } from 'electron';
import type { AppCommand } from '../../src-shared/contract.js';
import { TidepoolError } from '../../src-shared/errors.js';
import type { IdeViewHost, ViewBounds } from '../api/ide-view-host.js';
import { routeIdeKey } from './ide-keys.js';
import { ideOrigin, ideViewPreferences, idePartition } from './security-policy.js';
import { guardSession, guardWebContents } from './web-contents-guard.js';

interface IdeView {
  view: WebContentsView;
  origin: string;
  window: BrowserWindow;
}

export class IdeViews implements IdeViewHost {
  private readonly views = new Map<string, IdeView>();
  /** Current IDE origin per workspace, read by the session's permission handlers. */
  private readonly origins = new Map<string, string>();
  private readonly guardedSessions = new Set<string>();

  constructor(
    private readonly window: () => BrowserWindow | null,
    private readonly command: (command: AppCommand) => void,
    private readonly log: (message: string) => void,
    private readonly platform: string = process.platform,
  ) {}

  show(workspaceId: string, ideUrl: string, bounds: ViewBounds): void {
    const window = this.window();
    if (!window) return;
    const origin = ideOrigin(ideUrl);
    if (!origin) {
      throw new TidepoolError({ code: 'INTERNAL', message: 'The IDE is not on a local address Tidepool can show.', detail: ideUrl });
    }
    let entry = this.views.get(workspaceId);
    // A restarted workspace may get its tunnel on another port: start over on the new origin.
    if (entry && (entry.origin !== origin || entry.window !== window)) {
      this.close(workspaceId);
      entry = undefined;
    }
    for (const [id, other] of this.views) if (id !== workspaceId) other.view.setVisible(false);
    const wasVisible = entry?.view.getVisible() ?? false;
    entry ??= this.create(workspaceId, ideUrl, origin, window);
    // The renderer measures in CSS pixels; the view is placed in window points, which differ when zoomed.
    const zoom = window.webContents.getZoomFactor();
    entry.view.setBounds({
      x: Math.round(bounds.x * zoom),
      y: Math.round(bounds.y * zoom),
      width: Math.round(bounds.width * zoom),
      height: Math.round(bounds.height * zoom),
    });
    entry.view.setVisible(true);
    if (!wasVisible) entry.view.webContents.focus();
  }

  hideAll(): void {
    let hadFocus = false;
    for (const { view } of this.views.values()) {
      hadFocus ||= view.webContents.isFocused();
      view.setVisible(false);
    }
    // Keys typed next must reach the page in front (a dialog, a terminal), not the hidden IDE.
    if (hadFocus) this.window()?.webContents.focus();
  }

  close(workspaceId: string): void {
    const entry = this.views.get(workspaceId);
    if (!entry) return;
    this.views.delete(workspaceId);
    if (!entry.window.isDestroyed()) entry.window.contentView.removeChildView(entry.view);
    if (!entry.view.webContents.isDestroyed()) entry.view.webContents.close();
  }

  closeAll(): void {
    for (const id of [...this.views.keys()]) this.close(id);
  }

  /** The workspace is gone: its IDE's cookies, storage and caches go too. */
  async forget(workspaceId: string): Promise<void> {
    this.close(workspaceId);
    this.origins.delete(workspaceId);
    await session.fromPartition(idePartition(workspaceId)).clearStorageData();
  }

  private create(workspaceId: string, ideUrl: string, origin: string, window: BrowserWindow): IdeView {
    this.origins.set(workspaceId, origin);
    const partition = idePartition(workspaceId);
    if (!this.guardedSessions.has(partition)) {
      this.guardedSessions.add(partition);
      guardSession(session.fromPartition(partition), () => ({ kind: 'ide', origin: this.origins.get(workspaceId) ?? 'null' }));
    }
    const view = new WebContentsView({ webPreferences: ideViewPreferences(workspaceId) });
    const contents = view.webContents;
    guardWebContents(contents, () => ({ kind: 'ide', origin: this.origins.get(workspaceId) ?? 'null' }));
    contents.on('before-input-event', (event, input) => {
      const route = routeIdeKey(input, this.platform);
      // Menu shortcuts fire before the page sees a key: keep them away from keys the IDE owns.
      contents.setIgnoreMenuShortcuts(route.to !== 'menu');
      if (route.to === 'tidepool') {
        event.preventDefault();
        this.command(route.command);
      }
    });
    contents.on('render-process-gone', (_event, details) => this.log(`IDE view of ${workspaceId} stopped: ${details.reason}`));
    contents.on('did-fail-load', (_event, code, description, url, isMainFrame) => {
      if (isMainFrame) this.log(`IDE view of ${workspaceId} could not load ${url}: ${description} (${code})`);
    });
    view.setVisible(false);
    window.contentView.addChildView(view);
    void contents.loadURL(ideUrl);
    const entry = { view, origin, window };
    this.views.set(workspaceId, entry);
    return entry;
  }
}
