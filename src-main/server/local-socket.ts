/**
 * The local socket through which the `tidepool` CLI reaches a running app or `tidepool serve`, so both
 * drive one core and never race over the same state. It speaks the WebSocket's `ClientMessage` /
 * `ServerMessage` as JSON lines. The socket lives in the data folder and is owner-only (mode 0600): anyone
 * who can connect can do everything the user can.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { ClientMessage, ServerMessage } from '../../src-shared/transport.js';
import { TidepoolError } from '../../src-shared/errors.js';
import { dispatch, type Handlers } from '../api/dispatch.js';
import type { EventBus } from '../api/event-bus.js';
import { readJsonLines, writeJsonLine } from './json-lines.js';

export const LOCAL_SOCKET_NAME = 'tidepool.sock';

/** A client that has this much unread output is not reading; it is dropped rather than buffered forever. */
const MAX_CLIENT_BACKLOG_BYTES = 32 * 1024 * 1024;

/** Unix socket paths are limited to about 104 bytes (macOS) or 108 (Linux). */
const MAX_SOCKET_PATH_BYTES = 100;

export function localSocketPath(dataDir: string): string {
  return join(dataDir, LOCAL_SOCKET_NAME);
}

export interface LocalSocketOptions {
  socketPath: string;
  handlers: Handlers;
  events: Pick<EventBus, 'onAny'>;
}

export interface LocalSocketServer {
  readonly path: string;
  /** How many clients are connected now. */
  clientCount(): number;
  close(): Promise<void>;
}

/** True when something answers on the socket (an app, a server or a CLI holding the core). */
export function isLocalSocketLive(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    const done = (live: boolean): void => {
      clearTimeout(timer);
      probe.destroy();
      resolve(live);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    probe.once('connect', () => done(true));
    probe.once('error', () => done(false));
  });
}

export async function attachLocalSocket(options: LocalSocketOptions): Promise<LocalSocketServer> {
  const { socketPath, handlers, events } = options;
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: `The data folder's path is too long for a local socket (${socketPath}).`,
      hint: 'Use a shorter --data-dir.',
    });
  }
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
  if (existsSync(socketPath)) {
    if (await isLocalSocketLive(socketPath)) {
      throw new TidepoolError({
        code: 'BUSY',
        message: 'Another Tidepool process is already using this data folder.',
        hint: 'Quit the Tidepool app, stop `tidepool serve`, or wait for the running tidepool command to finish.',
        detail: socketPath,
      });
    }
    if (!lstatSync(socketPath).isSocket()) {
      throw new TidepoolError({
        code: 'INVALID_STATE',
        message: `${socketPath} exists and is not Tidepool's socket.`,
        hint: 'Move that file away and try again.',
      });
    }
    // Left behind by a process that crashed.
    rmSync(socketPath, { force: true });
  }

  const clients = new Set<Socket>();
  const server = createServer((socket) => serveClient(socket, handlers, clients));
  await listenOwnerOnly(server, socketPath);

  const unsubscribe = events.onAny((event, payload) => {
    const message: ServerMessage = { type: 'event', event, payload };
    for (const socket of clients) send(socket, message);
  });

  return {
    path: socketPath,
    clientCount: () => clients.size,
    close: async () => {
      unsubscribe();
      for (const socket of clients) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(socketPath, { force: true });
    },
  };
}

/** Binds with a umask that leaves the socket owner-only from its first moment, then makes sure of it. */
function listenOwnerOnly(server: Server, socketPath: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const previous = process.umask(0o177);
    try {
      server.listen(socketPath, () => {
        server.off('error', reject);
        try {
          chmodSync(socketPath, 0o600);
          resolve();
        } catch (error) {
          server.close();
          reject(error);
        }
      });
    } finally {
      process.umask(previous);
    }
  });
}

function serveClient(socket: Socket, handlers: Handlers, clients: Set<Socket>): void {
  clients.add(socket);
  socket.on('close', () => clients.delete(socket));
  socket.on('error', () => socket.destroy());
  readJsonLines(
    socket,
    (message) => {
      if (!isCall(message)) {
        socket.destroy();
        return;
      }
      void dispatch(handlers, message.method, message.payload).then((result) =>
        send(socket, { type: 'result', id: message.id, result }),
      );
    },
    () => socket.destroy(),
  );
}

function isCall(message: unknown): message is ClientMessage {
  if (typeof message !== 'object' || message === null) return false;
  const candidate = message as Record<string, unknown>;
  return candidate.type === 'call' && Number.isSafeInteger(candidate.id);
}

function send(socket: Socket, message: ServerMessage): void {
  if (socket.writableLength > MAX_CLIENT_BACKLOG_BYTES) {
    socket.destroy();
    return;
  }
  writeJsonLine(socket, message);
}
