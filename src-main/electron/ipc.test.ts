/** IPC registration with `electron` replaced by a factory (never loaded) and a core on the simulated runtime. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel } from '../../src-shared/contract.js';
import { createHandlers } from '../api/handlers.js';
import { simulatedHarness, type Harness } from '../workspaces/test-harness.js';
import { IPC_LISTENING_CHANNEL } from './bridge-channels.js';

type Listener = (...args: unknown[]) => unknown;
const fake = vi.hoisted(() => ({ handles: new Map<string, Listener>(), ons: new Map<string, Listener>() }));

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, listener: Listener) => fake.handles.set(channel, listener),
    removeHandler: (channel: string) => fake.handles.delete(channel),
    on: (channel: string, listener: Listener) => fake.ons.set(channel, listener),
    removeAllListeners: (channel: string) => fake.ons.delete(channel),
  },
}));

const { IpcBridge } = await import('./ipc.js');

function fakeWindow(id: number) {
  const contentsListeners = new Map<string, Listener>();
  const windowListeners = new Map<string, Listener>();
  const sent: unknown[][] = [];
  const window = {
    isDestroyed: () => false,
    on: (name: string, listener: Listener) => windowListeners.set(name, listener),
    webContents: {
      id,
      send: (...args: unknown[]) => sent.push(args),
      on: (name: string, listener: Listener) => contentsListeners.set(name, listener),
    },
  };
  return { window, sent, contentsListeners, windowListeners };
}

const fromPage = (webContentsId: number, url = 'app://tidepool/index.html', parent: unknown = null) => ({
  sender: { id: webContentsId },
  senderFrame: { url, parent },
});

let harness: Harness;
let bridge: InstanceType<typeof IpcBridge>;
let win: ReturnType<typeof fakeWindow>;

beforeEach(async () => {
  harness = await simulatedHarness();
  bridge = new IpcBridge(harness.core, createHandlers(harness.core));
  win = fakeWindow(7);
  bridge.attach(win.window as never);
});
afterEach(async () => {
  bridge.dispose();
  await harness.core.workspaces.drain();
  await harness.core.dispose();
});

describe('IPC handlers', () => {
  it('are registered for every contract method', () => {
    expect([...fake.handles.keys()].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
  });

  it("answer the app window's page with a Result", async () => {
    const result = await fake.handles.get(ipcChannel('listWorkspaces'))!(fromPage(7), {});
    expect(result).toEqual({ ok: true, value: [] });
    const invalid = (await fake.handles.get(ipcChannel('createWorkspace'))!(fromPage(7), { name: 'Bad Name' })) as { ok: boolean; error?: { code: string } };
    expect(invalid.error?.code).toBe('INVALID_INPUT');
  });

  it('refuse other web contents, sub-frames and foreign origins with FORBIDDEN, changing nothing', async () => {
    const create = fake.handles.get(ipcChannel('createWorkspace'))!;
    for (const event of [fromPage(8), fromPage(7, 'app://tidepool/index.html', { url: 'app://tidepool/' }), fromPage(7, 'https://example.com/')]) {
      const result = (await create(event, { name: 'sneaky' })) as { ok: boolean; error?: { code: string } };
      expect(result.error?.code).toBe('FORBIDDEN');
    }
    expect(harness.core.workspaces.list()).toEqual([]);
  });
});

describe('events to the page', () => {
  it('are held until the page listens, then flow; a reload holds them again', () => {
    bridge.send('appCommand', { command: 'newWorkspace' });
    expect(win.sent).toEqual([]);
    fake.ons.get(IPC_LISTENING_CHANNEL)!(fromPage(7));
    expect(win.sent).toEqual([[IPC_EVENT_CHANNEL, 'appCommand', { command: 'newWorkspace' }]]);
    harness.core.events.emit('workspaceRemoved', { id: 'w1' });
    expect(win.sent).toHaveLength(2);
    win.contentsListeners.get('did-start-navigation')!({ isMainFrame: true, isSameDocument: false });
    harness.core.events.emit('workspaceRemoved', { id: 'w2' });
    expect(win.sent).toHaveLength(2);
  });

  it('ignore a "listening" signal from anything but the app page', () => {
    bridge.send('appCommand', { command: 'newWorkspace' });
    fake.ons.get(IPC_LISTENING_CHANNEL)!(fromPage(8));
    expect(win.sent).toEqual([]);
  });
});
