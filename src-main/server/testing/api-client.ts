/** A minimal WebSocket client for the `/api` contract, as the browser speaks it (for tests and e2e). */
import WebSocket from 'ws';
import type { EventName } from '../../../src-shared/contract.js';
import type { Result } from '../../../src-shared/errors.js';
import type { ServerMessage } from '../../../src-shared/transport.js';

export interface ApiClient {
  call(method: string, payload?: unknown): Promise<Result<unknown>>;
  events: { event: EventName; payload: unknown }[];
  waitForEvent(match: (event: EventName, payload: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

/** Resolves with the client once open, or rejects with the HTTP status the upgrade was refused with. */
export function connectApi(url: string, headers: Record<string, string>): Promise<ApiClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const pending = new Map<number, (result: Result<unknown>) => void>();
    const events: { event: EventName; payload: unknown }[] = [];
    const waiters = new Set<(event: EventName, payload: unknown) => void>();
    let nextId = 1;
    ws.on('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.on('error', reject);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (message.type === 'result') {
        pending.get(message.id)?.(message.result);
        pending.delete(message.id);
      } else {
        events.push({ event: message.event, payload: message.payload });
        for (const waiter of [...waiters]) waiter(message.event, message.payload);
      }
    });
    ws.on('open', () =>
      resolve({
        call: (method, payload = {}) =>
          new Promise((done) => {
            const id = nextId++;
            pending.set(id, done);
            ws.send(JSON.stringify({ type: 'call', id, method, payload }));
          }),
        events,
        waitForEvent: (match, timeoutMs = 10_000) =>
          new Promise((done, fail) => {
            const seen = events.find((entry) => match(entry.event, entry.payload));
            if (seen) return done(seen.payload);
            const timer = setTimeout(() => {
              waiters.delete(waiter);
              fail(new Error('timed out waiting for an event'));
            }, timeoutMs);
            const waiter = (event: EventName, payload: unknown): void => {
              if (!match(event, payload)) return;
              clearTimeout(timer);
              waiters.delete(waiter);
              done(payload);
            };
            waiters.add(waiter);
          }),
        close: () => ws.close(),
      }),
    );
  });
}
