/**
 * The app window's preload: exposes `window.tidepool` (a TidepoolBridge) and nothing else. `invoke` only
 * reaches channels the contract declares; `subscribe` hands the page the event name and payload, never
 * Electron's event object (security checklist 20). Bundled into one CommonJS file: sandboxed preloads
 * cannot load ES modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, type EventName, type MethodName } from '../../src-shared/contract.js';
import type { Result } from '../../src-shared/errors.js';
import type { TidepoolBridge } from '../../src-shared/transport.js';
import { IPC_LISTENING_CHANNEL, channelForMethod } from './bridge-channels.js';

let announced = false;

const bridge: TidepoolBridge = {
  host: 'electron',
  invoke: async (method: MethodName, payload: unknown): Promise<Result<unknown>> => {
    const channel = channelForMethod(method);
    if (!channel) {
      return { ok: false, error: { code: 'INVALID_INPUT', message: `Unknown method ${JSON.stringify(String(method).slice(0, 64))}.` } };
    }
    return (await ipcRenderer.invoke(channel, payload)) as Result<unknown>;
  },
  subscribe: (listener: (event: EventName, payload: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a function.');
    const forward = (_event: IpcRendererEvent, name: EventName, payload: unknown) => listener(name, payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, forward);
    if (!announced) {
      announced = true;
      ipcRenderer.send(IPC_LISTENING_CHANNEL);
    }
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('tidepool', bridge);
