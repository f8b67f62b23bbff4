/**
 * The browser's API: the contract's `ClientMessage` / `ServerMessage` over one WebSocket at `/api`. Every
 * call goes through `dispatch`; every core event is pushed to every connection.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EventName } from '../../src-shared/contract.js';
import type { ClientMessage, ServerMessage } from '../../src-shared/transport.js';
import { dispatch, MAX_PAYLOAD_BYTES, type Handlers } from '../api/dispatch.js';
import type { EventBus } from '../api/event-bus.js';

/** A browser that does not read its events for this long a backlog is dropped (it reloads and catches up). */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export interface ApiSocket {
  /** Accepts an upgrade that the server has already authorised. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer, handlers: Handlers): void;
  clientCount(): number;
  close(): Promise<void>;
}

export function createApiSocket(events: Pick<EventBus, 'onAny'>): ApiSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES * 2 + 1024 });
  const unsubscribe = events.onAny((event: EventName, payload: unknown) => {
    const message = JSON.stringify({ type: 'event', event, payload } satisfies ServerMessage);
    for (const client of wss.clients) send(client, message);
  });
  return {
    accept: (request, socket, head, handlers) => {
      wss.handleUpgrade(request, socket, head, (ws) => {
        // A frame over the size limit, text that is not UTF-8, broken framing: ws closes that connection
        // itself (1009, 1007, 1002); unheard, its 'error' event would end the whole server.
        ws.on('error', () => undefined);
        ws.on('message', (data, isBinary) => {
          if (isBinary) {
            ws.close(1003, 'Text messages only.');
            return;
          }
          let message: ClientMessage;
          try {
            message = JSON.parse(data.toString()) as ClientMessage;
          } catch {
            ws.close(1007, 'Not JSON.');
            return;
          }
          if (message?.type !== 'call' || !Number.isSafeInteger(message.id)) {
            ws.close(1008, 'Not a call.');
            return;
          }
          void dispatch(handlers, message.method, message.payload).then((result) =>
            send(ws, JSON.stringify({ type: 'result', id: message.id, result } satisfies ServerMessage)),
          );
        });
      });
    },
    clientCount: () => wss.clients.size,
    close: async () => {
      unsubscribe();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function send(ws: WebSocket, message: string): void {
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    ws.terminate();
    return;
  }
  ws.send(message);
}
