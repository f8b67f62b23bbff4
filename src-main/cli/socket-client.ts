/** The CLI's side of the local socket: calls with ids, results matched back, events to listeners. */
import { connect, type Socket } from 'node:net';
import type { EventName } from '../../src-shared/contract.js';
import { TidepoolError, type Result } from '../../src-shared/errors.js';
import type { ClientMessage, ServerMessage } from '../../src-shared/transport.js';
import { readJsonLines, writeJsonLine } from '../server/json-lines.js';

export type EventListener = (event: EventName, payload: unknown) => void;

export interface SocketClient {
  call(method: string, payload: unknown): Promise<Result<unknown>>;
  onEvent(listener: EventListener): () => void;
  close(): void;
}

/** Connects to a running app or server; null when nothing answers (no socket, or a stale one). */
export function connectLocalSocket(socketPath: string): Promise<SocketClient | null> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(wrap(socket));
    });
    const onError = (): void => {
      socket.destroy();
      resolve(null);
    };
    socket.once('error', onError);
  });
}

function wrap(socket: Socket): SocketClient {
  let nextId = 1;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const listeners = new Set<EventListener>();
  const lost = (): void => {
    for (const resolve of pending.values()) {
      resolve({ ok: false, error: closedError().toData() });
    }
    pending.clear();
  };
  socket.on('error', () => socket.destroy());
  socket.on('close', lost);
  readJsonLines(
    socket,
    (raw) => {
      const message = raw as ServerMessage;
      if (message?.type === 'result') {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      } else if (message?.type === 'event') {
        for (const listener of [...listeners]) listener(message.event, message.payload);
      }
    },
    () => socket.destroy(),
  );
  return {
    call: (method, payload) =>
      new Promise((resolve) => {
        if (socket.destroyed) {
          resolve({ ok: false, error: closedError().toData() });
          return;
        }
        const id = nextId++;
        pending.set(id, resolve);
        writeJsonLine(socket, { type: 'call', id, method, payload } as ClientMessage);
      }),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => socket.end(),
  };
}

function closedError(): TidepoolError {
  return new TidepoolError({
    code: 'INTERNAL',
    message: 'The connection to the running Tidepool closed.',
    hint: 'Tidepool (the app or `tidepool serve`) may have quit; run the command again.',
  });
}
