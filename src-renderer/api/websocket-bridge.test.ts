import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Result } from '../../src-shared/errors.js';
import type { ClientMessage, ServerMessage } from '../../src-shared/transport.js';
import { webSocketUrl } from './pick-bridge.js';
import { webSocketBridge, type WebSocketBridge } from './websocket-bridge.js';

/** Enough of a WebSocket for the bridge: tests open, answer and drop it. */
class FakeSocket {
  static sockets: FakeSocket[] = [];
  sent: ClientMessage[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.sockets.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientMessage);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.();
  }
  receive(message: ServerMessage | string) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
  drop() {
    this.onclose?.();
  }
}

const latest = () => FakeSocket.sockets.at(-1)!;
let bridge: WebSocketBridge;
let signedOut = false;

beforeEach(() => {
  vi.useFakeTimers();
  signedOut = false;
  FakeSocket.sockets = [];
  bridge = webSocketBridge('ws://127.0.0.1:7080/api', {
    WebSocketClass: FakeSocket as unknown as typeof WebSocket,
    initialDelayMs: 100,
    maxDelayMs: 1000,
    connectWaitMs: 5000,
    random: () => 1,
    probeSignedOut: async () => signedOut,
  });
});

afterEach(() => {
  bridge.close();
  vi.useRealTimers();
});

describe('webSocketBridge', () => {
  it('sends calls as ClientMessages and resolves them with the matching result', async () => {
    latest().open();
    const first = bridge.invoke('listWorkspaces', {});
    const second = bridge.invoke('getSettings', {});
    const [a, b] = latest().sent;
    expect(a).toEqual({ type: 'call', id: a!.id, method: 'listWorkspaces', payload: {} });
    latest().receive({ type: 'result', id: b!.id, result: { ok: true, value: 'settings' } });
    latest().receive({ type: 'result', id: a!.id, result: { ok: true, value: ['w'] } });
    await expect(first).resolves.toEqual({ ok: true, value: ['w'] });
    await expect(second).resolves.toEqual({ ok: true, value: 'settings' });
    expect(bridge.host).toBe('browser');
  });

  it('holds calls made before the connection opens and sends them when it does', async () => {
    const pending = bridge.invoke('getHostStatus', {});
    expect(latest().sent).toEqual([]);
    latest().open();
    expect(latest().sent.map((message) => message.method)).toEqual(['getHostStatus']);
    latest().receive({ type: 'result', id: latest().sent[0]!.id, result: { ok: true, value: 1 } });
    await expect(pending).resolves.toEqual({ ok: true, value: 1 });
  });

  it('pushes events to subscribers and ignores garbage', () => {
    latest().open();
    const seen: unknown[] = [];
    bridge.subscribe((event, payload) => seen.push([event, payload]));
    latest().receive('not json');
    latest().receive({ type: 'event', event: 'workspaceRemoved', payload: { id: 'x' } });
    expect(seen).toEqual([['workspaceRemoved', { id: 'x' }]]);
  });

  it('fails calls in flight when the connection drops, with a clear error', async () => {
    latest().open();
    const pending = bridge.invoke('startWorkspace', { id: 'x' });
    latest().drop();
    const result = (await pending) as Extract<Result<unknown>, { ok: false }>;
    expect(result.ok).toBe(false);
    expect(result.error.message).toBe('The connection to Tidepool dropped before startWorkspace finished.');
    expect(result.error.hint).toContain('It may or may not have happened');
  });

  it('reconnects with growing, capped delays and reports its state', async () => {
    const states: string[] = [];
    bridge.onConnectionChange((state) => states.push(state));
    latest().open();
    latest().drop();
    expect(bridge.connection()).toBe('reconnecting');

    const delays: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const count = FakeSocket.sockets.length;
      let waited = 0;
      while (FakeSocket.sockets.length === count) {
        await vi.advanceTimersByTimeAsync(10);
        waited += 10;
      }
      delays.push(waited);
      latest().drop();
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000]);

    const count = FakeSocket.sockets.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.sockets.length).toBe(count + 1);
    latest().open();
    expect(bridge.connection()).toBe('open');
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('sends calls made while reconnecting once it is back, and keeps event subscribers', async () => {
    const seen: unknown[] = [];
    bridge.subscribe((event) => seen.push(event));
    latest().open();
    latest().drop();
    const pending = bridge.invoke('listWorkspaces', {});
    await vi.advanceTimersByTimeAsync(100);
    latest().open();
    expect(latest().sent.map((message) => message.method)).toEqual(['listWorkspaces']);
    latest().receive({ type: 'result', id: latest().sent[0]!.id, result: { ok: true, value: [] } });
    await expect(pending).resolves.toEqual({ ok: true, value: [] });
    latest().receive({ type: 'event', event: 'hostChanged', payload: {} });
    expect(seen).toEqual(['hostChanged']);
  });

  it('says when the server is back but no longer accepts this page, and recovers once signed in again', async () => {
    signedOut = true;
    latest().open();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      latest().drop();
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(bridge.connection()).toBe('signed-out');
    latest().open();
    expect(bridge.connection()).toBe('open');
  });

  it('keeps saying “reconnecting” while the server is simply down', async () => {
    latest().open();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      latest().drop();
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(bridge.connection()).toBe('reconnecting');
  });

  it('gives up on a call when Tidepool stays unreachable', async () => {
    const pending = bridge.invoke('listWorkspaces', {});
    await vi.advanceTimersByTimeAsync(5000);
    const result = (await pending) as Extract<Result<unknown>, { ok: false }>;
    expect(result.error).toMatchObject({ code: 'TIMEOUT', message: 'Tidepool is not reachable right now.' });
  });

  it('stops for good when closed', async () => {
    latest().open();
    const pending = bridge.invoke('listWorkspaces', {});
    bridge.close();
    expect((await pending).ok).toBe(false);
    const count = FakeSocket.sockets.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeSocket.sockets.length).toBe(count);
    expect((await bridge.invoke('listWorkspaces', {})).ok).toBe(false);
  });
});

describe('webSocketUrl', () => {
  it('points at the API path on the page’s own origin', () => {
    expect(webSocketUrl('http://127.0.0.1:7080/')).toBe('ws://127.0.0.1:7080/api');
    expect(webSocketUrl('https://tidepool.example:8443/index.html?x=1#top')).toBe('wss://tidepool.example:8443/api');
  });
});
