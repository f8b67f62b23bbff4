/**
 * A stand-in Incus API on a temporary unix socket, for unit tests of the client: routes answer with
 * Incus envelopes (or anything else), every request is recorded, and websocket upgrades go to a handler.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Route = (request: RecordedRequest, response: http.ServerResponse) => void | Promise<void>;

export class FakeIncusServer {
  readonly requests: RecordedRequest[] = [];
  readonly socketPath: string;
  private readonly dir: string;
  private readonly routes: { method: string; pattern: RegExp; route: Route }[] = [];
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private upgradeHandler: ((path: string, socket: WebSocket) => void) | null = null;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'tp-fake-incus-'));
    this.socketPath = join(this.dir, 'unix.socket');
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
        this.requests.push(recorded);
        const match = this.routes.find((candidate) => candidate.method === recorded.method && candidate.pattern.test(recorded.path));
        if (!match) {
          sendError(res, 404, `no fake route for ${recorded.method} ${recorded.path}`);
          return;
        }
        void match.route(recorded, res);
      });
    });
    this.server.on('upgrade', (req, socket: Duplex, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.upgradeHandler?.(req.url ?? '', ws));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.socketPath, resolve));
    return this;
  }

  on(method: string, pattern: RegExp, route: Route): this {
    this.routes.unshift({ method, pattern, route });
    return this;
  }

  onWebSocket(handler: (path: string, socket: WebSocket) => void): this {
    this.upgradeHandler = handler;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sendSync(response: http.ServerResponse, metadata: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(200, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify({ type: 'sync', status: 'Success', status_code: 200, operation: '', error_code: 0, error: '', metadata }));
}

export function sendAsync(response: http.ServerResponse, operation: Record<string, unknown>): void {
  response.writeHead(202, { 'Content-Type': 'application/json' });
  response.end(
    JSON.stringify({
      type: 'async',
      status: 'Operation created',
      status_code: 100,
      operation: `/1.0/operations/${String(operation.id)}`,
      error_code: 0,
      error: '',
      metadata: operation,
    }),
  );
}

export function sendError(response: http.ServerResponse, code: number, message: string): void {
  response.writeHead(code, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify({ type: 'error', status: '', status_code: 0, operation: '', error_code: code, error: message, metadata: null }));
}

export function operation(id: string, statusCode: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const status: Record<number, string> = { 103: 'Running', 200: 'Success', 400: 'Failure', 401: 'Cancelled' };
  return { id, class: 'task', description: 'test', status: status[statusCode] ?? 'Running', status_code: statusCode, metadata: null, may_cancel: true, err: '', ...extra };
}
