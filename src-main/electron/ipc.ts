/**
 * The contract over Electron IPC: one `ipcMain.handle` per contract method, answering only the app
 * window's own page (ipc-sender.ts) and always with a Result (dispatch validates the payload). Core
 * events and the shell's own commands go to the page on one channel, held until the page listens.
 */
import { ipcMain, type BrowserWindow, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel, type EventName, type EventPayloads } from '../../src-shared/contract.js';
import type { Result } from '../../src-shared/errors.js';
import { dispatch, type Handlers } from '../api/dispatch.js';
import type { Core } from '../core.js';
import { IPC_LISTENING_CHANNEL } from './bridge-channels.js';
import { EventBuffer } from './event-buffer.js';
import { isTrustedSender } from './ipc-sender.js';

const REFUSED: Result<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'Only Tidepool’s own window may use its API.' },
};

export class IpcBridge {
  private window: BrowserWindow | null = null;
  private readonly buffer = new EventBuffer<[EventName, unknown]>(([event, payload]) => {
    const window = this.window;
    if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event, payload);
  });
  private readonly unsubscribe: () => void;

  constructor(core: Core, handlers: Handlers) {
    for (const name of METHOD_NAMES) {
      ipcMain.handle(ipcChannel(name), async (event: IpcMainInvokeEvent, payload: unknown) =>
        this.trusted(event) ? dispatch(handlers, name, payload) : REFUSED,
      );
    }
    ipcMain.on(IPC_LISTENING_CHANNEL, (event: IpcMainEvent) => {
      if (this.trusted(event)) this.buffer.open();
    });
    this.unsubscribe = core.events.onAny((event, payload) => this.buffer.push([event, payload]));
  }

  /** The page of a new window starts deaf: hold events until it listens, and again across reloads. */
  attach(window: BrowserWindow): void {
    this.window = window;
    this.buffer.close();
    window.webContents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) this.buffer.close();
    });
    window.on('closed', () => {
      if (this.window === window) this.window = null;
      this.buffer.close();
    });
  }

  /** A shell event (menu, tray, IDE-view shortcut) for the page only. */
  send<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    this.buffer.push([event, payload]);
  }

  dispose(): void {
    this.unsubscribe();
    for (const name of METHOD_NAMES) ipcMain.removeHandler(ipcChannel(name));
    ipcMain.removeAllListeners(IPC_LISTENING_CHANNEL);
  }

  private trusted(event: IpcMainInvokeEvent | IpcMainEvent): boolean {
    const frame = event.senderFrame;
    return isTrustedSender(
      { frameUrl: frame?.url, isMainFrame: frame?.parent === null, webContentsId: event.sender.id },
      this.window && !this.window.isDestroyed() ? this.window.webContents.id : null,
    );
  }
}
