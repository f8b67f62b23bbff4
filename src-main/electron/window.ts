/**
 * The one app window: the UI from app://tidepool/, sandboxed and isolated, with the preload as its only
 * way to the core. Closing it keeps Tidepool running on macOS (the tray and the Dock bring it back).
 */
import { BrowserWindow, nativeTheme } from 'electron';
import { guardWebContents } from './web-contents-guard.js';
import { APP_START_URL, appWindowPreferences } from './security-policy.js';

export class AppWindow {
  private window: BrowserWindow | null = null;

  constructor(
    private readonly preloadPath: string,
    /** Called for every new window before its page loads (IPC and IDE views attach to it). */
    private readonly onCreated: (window: BrowserWindow) => void,
  ) {}

  current(): BrowserWindow | null {
    return this.window && !this.window.isDestroyed() ? this.window : null;
  }

  isFocused(): boolean {
    return this.current()?.isFocused() ?? false;
  }

  /** Brings the window forward, creating it if it was closed. */
  show(): BrowserWindow {
    const existing = this.current();
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const window = new BrowserWindow({
      width: 1280,
      height: 820,
      minWidth: 820,
      minHeight: 520,
      show: false,
      title: 'Tidepool',
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#1b1d21' : '#ffffff',
      webPreferences: appWindowPreferences(this.preloadPath),
    });
    this.window = window;
    window.on('closed', () => {
      if (this.window === window) this.window = null;
    });
    guardWebContents(window.webContents, () => ({ kind: 'app' }));
    this.onCreated(window);
    window.once('ready-to-show', () => window.show());
    void window.loadURL(APP_START_URL);
    return window;
  }
}
