/**
 * The bridge for a browser served by `tidepool serve`: contract calls and pushed events over one WebSocket.
 * It reconnects with backoff; calls that were in flight when the connection dropped fail with a clear
 * error (they may or may not have happened), and calls made while reconnecting wait briefly for it.
 * Events need no re-subscription: the server pushes every event to every connected socket.
 */
import type { EventName, MethodName } from '../../src-shared/contract.js';
import type { Result, TidepoolErrorData } from '../../src-shared/errors.js';
import type { ClientMessage, ServerMessage, TidepoolBridge } from '../../src-shared/transport.js';
import type { ConnectionState, ConnectionStatus } from './connection.js';

export interface WebSocketBridgeOptions {
  /** The WebSocket class to use (tests pass a fake). */
  WebSocketClass?: typeof WebSocket;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** How long a call made while disconnected waits for the connection before failing. */
  connectWaitMs?: number;
  random?: () => number;
  /** Whether the server is up but refuses this page's session; asked after repeated failures. */
  probeSignedOut?: () => Promise<boolean>;
}

/** Failed reconnects before asking whether the page is signed out rather than the server down. */
const PROBE_AFTER_ATTEMPTS = 2;

function defaultProbe(url: string): () => Promise<boolean> {
  const page = new URL('/', url.replace(/^ws/, 'http')).toString();
  return async () => {
    try {
      const response = await fetch(page, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' });
      return response.status === 401;
    } catch {
      return false;
    }
  };
}

export interface WebSocketBridge extends TidepoolBridge, ConnectionStatus {
  /** Stops reconnecting and fails whatever is pending. */
  close(): void;
}

interface Waiting {
  message: ClientMessage;
  resolve: (result: Result<unknown>) => void;
  timer: ReturnType<typeof setTimeout>;
}

function failure(error: TidepoolErrorData): Result<unknown> {
  return { ok: false, error };
}

export function webSocketBridge(url: string, options: WebSocketBridgeOptions = {}): WebSocketBridge {
  const WebSocketClass = options.WebSocketClass ?? WebSocket;
  const initialDelayMs = options.initialDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 10_000;
  const connectWaitMs = options.connectWaitMs ?? 10_000;
  const random = options.random ?? Math.random;
  const probeSignedOut = options.probeSignedOut ?? defaultProbe(url);

  const eventListeners = new Set<(event: EventName, payload: unknown) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const inFlight = new Map<number, { method: MethodName; resolve: (result: Result<unknown>) => void }>();
  const waiting: Waiting[] = [];
  let state: ConnectionState = 'connecting';
  let socket: WebSocket | null = null;
  let attempt = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let nextId = 1;
  let closed = false;

  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    state = next;
    for (const listener of [...stateListeners]) listener(next);
  };

  const send = (message: ClientMessage, resolve: (result: Result<unknown>) => void): void => {
    inFlight.set(message.id, { method: message.method, resolve });
    socket?.send(JSON.stringify(message));
  };

  const failInFlight = (): void => {
    for (const [id, call] of inFlight) {
      inFlight.delete(id);
      call.resolve(
        failure({
          code: 'INTERNAL',
          message: `The connection to Tidepool dropped before ${call.method} finished.`,
          hint: 'It may or may not have happened. Tidepool reconnects on its own; check the result, then try again.',
        }),
      );
    }
  };

  const onMessage = (raw: unknown): void => {
    if (typeof raw !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(raw) as ServerMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      const call = inFlight.get(message.id);
      if (!call) return;
      inFlight.delete(message.id);
      call.resolve(message.result);
    } else if (message.type === 'event') {
      for (const listener of [...eventListeners]) listener(message.event, message.payload);
    }
  };

  const scheduleReconnect = (): void => {
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
    attempt += 1;
    // Jitter so several tabs do not hammer a restarting server in step.
    const delay = Math.round(base * (0.5 + random() / 2));
    reconnectTimer = setTimeout(connect, delay);
  };

  function connect(): void {
    reconnectTimer = null;
    const current = new WebSocketClass(url);
    socket = current;
    current.onopen = () => {
      if (socket !== current) return;
      attempt = 0;
      setState('open');
      for (const entry of waiting.splice(0)) {
        clearTimeout(entry.timer);
        send(entry.message, entry.resolve);
      }
    };
    current.onmessage = (event: MessageEvent) => {
      if (socket === current) onMessage(event.data);
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      failInFlight();
      if (closed) return;
      if (state !== 'signed-out') setState('reconnecting');
      scheduleReconnect();
      if (attempt > PROBE_AFTER_ATTEMPTS) {
        void probeSignedOut().then((signedOut) => {
          if (!closed && socket === null) setState(signedOut ? 'signed-out' : 'reconnecting');
        });
      }
    };
  }

  connect();

  return {
    host: 'browser',
    invoke(method, payload) {
      const message: ClientMessage = { type: 'call', id: nextId++, method, payload };
      return new Promise<Result<unknown>>((resolve) => {
        if (closed) {
          resolve(failure({ code: 'INTERNAL', message: 'This page is no longer connected to Tidepool.', hint: 'Reload the page.' }));
          return;
        }
        if (state === 'open' && socket) {
          send(message, resolve);
          return;
        }
        const entry: Waiting = {
          message,
          resolve,
          timer: setTimeout(() => {
            waiting.splice(waiting.indexOf(entry), 1);
            resolve(
              failure({
                code: 'TIMEOUT',
                message: 'Tidepool is not reachable right now.',
                hint: 'Check that Tidepool is still running; this page reconnects on its own.',
              }),
            );
          }, connectWaitMs),
        };
        waiting.push(entry);
      });
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    connection: () => state,
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      for (const entry of waiting.splice(0)) {
        clearTimeout(entry.timer);
        entry.resolve(failure({ code: 'INTERNAL', message: 'This page is no longer connected to Tidepool.', hint: 'Reload the page.' }));
      }
      const current = socket;
      socket = null;
      failInFlight();
      current?.close();
    },
  };
}
