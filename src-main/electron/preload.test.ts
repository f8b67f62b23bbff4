/**
 * The preload as the page sees it. `electron` is replaced by a factory (never loaded: outside Electron
 * its import tries to download the binary).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, ipcChannel } from '../../src-shared/contract.js';
import type { TidepoolBridge } from '../../src-shared/transport.js';
import { IPC_LISTENING_CHANNEL } from './bridge-channels.js';

const fake = vi.hoisted(() => {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    exposed: new Map<string, unknown>(),
    listeners,
    invoke: vi.fn(async (channel: string, payload: unknown) => ({ ok: true, value: { channel, payload } })),
    send: vi.fn(),
    emit(channel: string, ...args: unknown[]) {
      for (const listener of listeners.get(channel) ?? []) listener({ sender: 'IpcRendererEvent', ports: [] }, ...args);
    },
  };
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => fake.exposed.set(key, value) },
  ipcRenderer: {
    invoke: fake.invoke,
    send: fake.send,
    on: (channel: string, listener: (...args: unknown[]) => void) => {
      if (!fake.listeners.has(channel)) fake.listeners.set(channel, new Set());
      fake.listeners.get(channel)!.add(listener);
    },
    removeListener: (channel: string, listener: (...args: unknown[]) => void) => fake.listeners.get(channel)?.delete(listener),
  },
}));

let bridge: TidepoolBridge;
beforeAll(async () => {
  await import('./preload.js');
  bridge = fake.exposed.get('tidepool') as TidepoolBridge;
});

describe('window.tidepool', () => {
  it('is the only thing exposed, and says it is the Electron host', () => {
    expect([...fake.exposed.keys()]).toEqual(['tidepool']);
    expect(Object.keys(bridge).sort()).toEqual(['host', 'invoke', 'subscribe']);
    expect(bridge.host).toBe('electron');
  });

  it("invokes a contract method on that method's channel", async () => {
    const result = await bridge.invoke('listWorkspaces', {});
    expect(fake.invoke).toHaveBeenCalledWith(ipcChannel('listWorkspaces'), {});
    expect(result).toEqual({ ok: true, value: { channel: 'tidepool:listWorkspaces', payload: {} } });
  });

  it('refuses anything else without touching IPC', async () => {
    fake.invoke.mockClear();
    for (const method of ['__proto__', 'constructor', 'evil', 'tidepool:event']) {
      const result = await bridge.invoke(method as never, {});
      expect(result.ok ? null : result.error.code, method).toBe('INVALID_INPUT');
    }
    expect(fake.invoke).not.toHaveBeenCalled();
  });

  it("hands listeners the event name and payload, never Electron's event object", () => {
    const heard: unknown[][] = [];
    const unsubscribe = bridge.subscribe((...args) => heard.push(args));
    fake.emit(IPC_EVENT_CHANNEL, 'workspaceRemoved', { id: 'w1' });
    expect(heard).toEqual([['workspaceRemoved', { id: 'w1' }]]);
    unsubscribe();
    fake.emit(IPC_EVENT_CHANNEL, 'workspaceRemoved', { id: 'w2' });
    expect(heard).toHaveLength(1);
  });

  it('tells main once that the page listens, so held events are delivered', () => {
    bridge.subscribe(() => undefined);
    bridge.subscribe(() => undefined);
    expect(fake.send.mock.calls).toEqual([[IPC_LISTENING_CHANNEL]]);
  });
});
