/**
 * Transport to one Incus server over its REST API: the local unix socket, or HTTPS with Tidepool's client
 * certificate and a pinned server certificate. Every reply is Incus's envelope
 * `{type, status_code, error_code, error, metadata, operation}`; failures become TidepoolErrors that keep
 * Incus's own words in `detail`. Async operations are awaited with `/1.0/operations/<id>/wait`, in short
 * long-polls so a deadline or a cancel is noticed. The endpoint calls live per area beside this file
 * (incus-instances.ts, incus-network.ts, incus-storage.ts, ...), one function per endpoint.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { TidepoolError, type ErrorCode } from '../../../src-shared/errors.js';
import { cancelledError } from '../../util/abort.js';

export const DEFAULT_SOCKET_PATH = '/var/lib/incus/unix.socket';

export type IncusEndpoint =
  | { kind: 'unix'; socketPath: string }
  | {
      kind: 'https';
      /** https://host:port */
      url: string;
      /** PEM client certificate and key that the server trusts. */
      clientCert: string;
      clientKey: string;
      /** SHA-256 of the server certificate (hex, colons optional); the connection is refused on any other. */
      serverFingerprint: string;
    };

export interface IncusEnvelope<T = unknown> {
  type: 'sync' | 'async' | 'error';
  status?: string;
  status_code: number;
  error_code?: number;
  error?: string;
  operation?: string;
  metadata: T;
}

export interface IncusOperation<M = Record<string, unknown>> {
  id: string;
  class: 'task' | 'websocket' | 'token';
  description: string;
  status: string;
  status_code: number;
  metadata: M | null;
  may_cancel: boolean;
  err: string;
}

export interface RequestOptions {
  /** JSON body. */
  body?: unknown;
  /** Raw body (file push); sent as application/octet-stream unless contentType says otherwise. */
  raw?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** If-Match for updates made from a read. */
  etag?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** What Tidepool was doing, for the error sentence ("create the workspace"). */
  action?: string;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** Overall deadline for the operation. */
  timeoutMs?: number;
  action?: string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Incus operation status codes (shared/api/status_code.go). */
const OPERATION_DONE = 200;
const OPERATION_RUNNING = new Set([100, 101, 103, 104, 105, 106, 107, 108, 109, 110, 111]);
/** Longest single long-poll, so a cancel or a deadline is acted on within this. */
const WAIT_SLICE_S = 10;
/** How long past a long-poll's own timeout its answer may take before the server counts as not answering. */
const WAIT_GRACE_MS = 15_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export class IncusClient {
  constructor(
    readonly endpoint: IncusEndpoint,
    private readonly options: { requestTimeoutMs?: number } = {},
  ) {}

  /** Where this client talks to, in words for messages. */
  describe(): string {
    return this.endpoint.kind === 'unix' ? `Incus on ${this.endpoint.socketPath}` : `Incus at ${this.endpoint.url}`;
  }

  isRemote(): boolean {
    return this.endpoint.kind === 'https';
  }

  /** A call answered with a sync (or async) envelope; throws a TidepoolError on an error envelope. */
  async query<T>(method: string, path: string, options: RequestOptions = {}): Promise<{ metadata: T; etag: string | null; operation: string | null; type: IncusEnvelope['type'] }> {
    const response = await this.raw(method, path, options);
    const envelope = parseEnvelope<T>(response, method, path);
    if (envelope.type === 'error') throw incusError(envelope, method, path, options.action);
    const etag = response.headers.etag;
    return { metadata: envelope.metadata, etag: typeof etag === 'string' ? etag : null, operation: envelope.operation || null, type: envelope.type };
  }

  /** Starts an async call and returns its operation (not yet finished). */
  async startOperation<M = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}): Promise<IncusOperation<M>> {
    const reply = await this.query<IncusOperation<M>>(method, path, options);
    if (reply.type !== 'async' || !reply.metadata?.id) {
      throw new TidepoolError({
        code: 'RUNTIME_ERROR',
        message: `${this.describe()} answered ${method} ${path} without an operation to wait for.`,
        detail: JSON.stringify(reply.metadata).slice(0, 500),
      });
    }
    return reply.metadata;
  }

  /** Starts an async call and waits for it to finish. */
  async run<M = Record<string, unknown>>(method: string, path: string, options: RequestOptions & { waitTimeoutMs?: number } = {}): Promise<IncusOperation<M>> {
    const operation = await this.startOperation<M>(method, path, options);
    return this.waitOperation<M>(operation.id, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.waitTimeoutMs !== undefined ? { timeoutMs: options.waitTimeoutMs } : {}),
      ...(options.action ? { action: options.action } : {}),
    });
  }

  /**
   * Waits until the operation is final. Failure → RUNTIME_ERROR with Incus's `err`; deadline → TIMEOUT;
   * abort → the operation is cancelled on the server when it allows that, then CANCELLED.
   */
  async waitOperation<M = Record<string, unknown>>(id: string, options: WaitOptions = {}): Promise<IncusOperation<M>> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    const action = options.action ?? 'finish the operation';
    for (;;) {
      if (options.signal?.aborted) {
        await this.cancelOperation(id).catch(() => undefined);
        throw cancelledError();
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        await this.cancelOperation(id).catch(() => undefined);
        throw new TidepoolError({
          code: 'TIMEOUT',
          message: `${this.describe()} did not ${action} within ${Math.round((options.timeoutMs ?? 0) / 1000)} s.`,
          hint: 'Check that the Incus server is not overloaded, then try again.',
        });
      }
      const slice = Math.max(1, Math.min(WAIT_SLICE_S, Math.ceil(left / 1000)));
      let operation: IncusOperation<M>;
      try {
        const reply = await this.query<IncusOperation<M>>('GET', `/1.0/operations/${encodeURIComponent(id)}/wait?timeout=${slice}`, {
          timeoutMs: slice * 1000 + (this.options.requestTimeoutMs ?? WAIT_GRACE_MS),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        operation = reply.metadata;
      } catch (error) {
        // Incus answers a wait that ran out of time, or an operation that failed, with an error envelope:
        // look at the operation itself to tell them apart. A failed operation may already be pruned.
        if (error instanceof TidepoolError && error.code === 'CANCELLED') {
          await this.cancelOperation(id).catch(() => undefined);
          throw error;
        }
        // No answer at all (TIMEOUT) or no server: not something the operation's status can explain.
        if (!(error instanceof TidepoolError) || error.code === 'RUNTIME_UNAVAILABLE' || error.code === 'TIMEOUT') {
          await this.cancelOperation(id).catch(() => undefined);
          throw error;
        }
        const current = await this.getOperation<M>(id).catch(() => null);
        if (!current) throw operationFailed(this, action, error.detail ?? error.message);
        operation = current;
      }
      if (operation.status_code === OPERATION_DONE) return operation;
      if (!OPERATION_RUNNING.has(operation.status_code)) throw operationFailed(this, action, operation.err || operation.status);
    }
  }

  async getOperation<M = Record<string, unknown>>(id: string): Promise<IncusOperation<M>> {
    return (await this.query<IncusOperation<M>>('GET', `/1.0/operations/${encodeURIComponent(id)}`)).metadata;
  }

  async cancelOperation(id: string): Promise<void> {
    await this.query('DELETE', `/1.0/operations/${encodeURIComponent(id)}`, { timeoutMs: 10_000 });
  }

  /** Any request, returning status, headers and the body bytes (file pull uses this directly). */
  async raw(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    if (options.signal?.aborted) throw cancelledError();
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const socket = await this.connect(options.signal, timeoutMs);
    const body =
      options.raw !== undefined ? Buffer.from(options.raw) : options.body !== undefined ? Buffer.from(JSON.stringify(options.body)) : null;
    const headers: Record<string, string> = { ...options.headers };
    if (body) {
      headers['Content-Type'] = options.contentType ?? (options.raw !== undefined ? 'application/octet-stream' : 'application/json');
      headers['Content-Length'] = String(body.length);
    }
    if (options.etag) headers['If-Match'] = options.etag;
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, value?: RawResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) {
          request.destroy();
          socket.destroy();
          reject(error);
        } else resolve(value as RawResponse);
      };
      const request = http.request(
        { createConnection: () => socket, method, path, host: this.hostHeader(), headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => finish(null, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', (error) => finish(transportError(this, error)));
        },
      );
      const timer = setTimeout(
        () =>
          finish(
            new TidepoolError({
              code: 'TIMEOUT',
              message: `${this.describe()} did not answer ${method} ${stripQuery(path)} within ${Math.round(timeoutMs / 1000)} s.`,
              hint: 'Check that incusd is running and not stuck (sudo scripts/setup-incus.sh starts it).',
            }),
          ),
        timeoutMs,
      );
      const onAbort = (): void => finish(cancelledError());
      options.signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error) => finish(transportError(this, error)));
      request.end(body ?? undefined);
    });
  }

  /** A websocket on the server (exec and console streams, events). */
  async websocket(path: string, signal?: AbortSignal): Promise<WebSocket> {
    const timeoutMs = this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const socket = await this.connect(signal, timeoutMs);
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://${this.hostHeader()}${path}`, { createConnection: () => socket, perMessageDeflate: false });
      ws.binaryType = 'nodebuffer';
      const settle = (error: Error | null): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (!error) return resolve(ws);
        ws.terminate();
        reject(error);
      };
      // A server that took the connection but never answers the upgrade must not hold the caller.
      const timer = setTimeout(
        () => settle(new TidepoolError({ code: 'TIMEOUT', message: `${this.describe()} did not open a stream within ${Math.round(timeoutMs / 1000)} s.` })),
        timeoutMs,
      );
      const onAbort = (): void => settle(cancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.once('open', () => settle(null));
      ws.once('error', (error) => settle(transportError(this, error)));
    });
  }

  private hostHeader(): string {
    return this.endpoint.kind === 'unix' ? 'incus' : new URL(this.endpoint.url).host;
  }

  /** A connected socket; for HTTPS only once the server's certificate matched the pinned fingerprint. */
  private connect(signal: AbortSignal | undefined, timeoutMs: number): Promise<net.Socket> {
    const endpoint = this.endpoint;
    return new Promise<net.Socket>((resolve, reject) => {
      let socket: net.Socket;
      const fail = (error: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(error);
      };
      const ready = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
        resolve(socket);
      };
      const onError = (error: Error): void => fail(transportError(this, error));
      const onAbort = (): void => fail(cancelledError());
      if (endpoint.kind === 'unix') {
        socket = net.connect({ path: endpoint.socketPath }, ready);
      } else {
        const url = new URL(endpoint.url);
        const host = url.hostname.replace(/^\[|\]$/g, '');
        const secure = tls.connect({
          host,
          port: Number(url.port || 8443),
          cert: endpoint.clientCert,
          key: endpoint.clientKey,
          // Incus servers use self-signed certificates: trust is the pinned fingerprint, checked below
          // before a single byte of the request is written.
          rejectUnauthorized: false,
          ...(net.isIP(host) ? {} : { servername: host }),
        });
        socket = secure;
        secure.once('secureConnect', () => {
          const seen = secure.getPeerCertificate().fingerprint256 ?? '';
          if (normaliseFingerprint(seen) !== normaliseFingerprint(endpoint.serverFingerprint)) {
            fail(
              new TidepoolError({
                code: 'HOST_KEY_CHANGED',
                message: `The Incus server at ${endpoint.url} presented a different certificate than the one Tidepool trusts.`,
                hint: 'If the server was reinstalled, remove the remote and add it again with a new trust token; otherwise do not connect.',
                detail: `expected ${normaliseFingerprint(endpoint.serverFingerprint)}, got ${normaliseFingerprint(seen)}`,
              }),
            );
            return;
          }
          ready();
        });
      }
      socket.once('error', onError);
      const timer = setTimeout(
        () =>
          fail(
            new TidepoolError({
              code: 'TIMEOUT',
              message: `${this.describe()} did not accept a connection within ${Math.round(timeoutMs / 1000)} s.`,
            }),
          ),
        timeoutMs,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

export function normaliseFingerprint(value: string): string {
  return value.replace(/:/g, '').toLowerCase();
}

function stripQuery(path: string): string {
  return path.split('?')[0] ?? path;
}

function parseEnvelope<T>(response: RawResponse, method: string, path: string): IncusEnvelope<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch (error) {
    throw new TidepoolError({
      code: 'RUNTIME_ERROR',
      message: `Incus sent a reply to ${method} ${stripQuery(path)} that Tidepool cannot read.`,
      hint: 'Check that the socket or address really belongs to Incus.',
      detail: `HTTP ${response.status}: ${(error as Error).message}; body starts ${JSON.stringify(response.body.subarray(0, 200).toString('utf8'))}`,
    });
  }
  const envelope = parsed as Partial<IncusEnvelope<T>> | null;
  if (!envelope || typeof envelope !== 'object' || !['sync', 'async', 'error'].includes(envelope.type as string)) {
    throw new TidepoolError({
      code: 'RUNTIME_ERROR',
      message: `Incus sent a reply to ${method} ${stripQuery(path)} that Tidepool cannot read.`,
      hint: 'Check that the socket or address really belongs to Incus.',
      detail: `HTTP ${response.status}: ${response.body.subarray(0, 200).toString('utf8')}`,
    });
  }
  return envelope as IncusEnvelope<T>;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'INVALID_INPUT',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  412: 'BUSY',
  503: 'RUNTIME_UNAVAILABLE',
};

function incusError(envelope: IncusEnvelope, method: string, path: string, action: string | undefined): TidepoolError {
  const status = envelope.error_code ?? envelope.status_code;
  const code = CODE_BY_STATUS[status] ?? 'RUNTIME_ERROR';
  const what = action ?? `${method} ${stripQuery(path)}`;
  if (envelope.error && DISK_FULL.test(envelope.error)) return diskFull('Incus', action ?? `complete ${what}`, envelope.error);
  return new TidepoolError({
    code,
    message:
      code === 'FORBIDDEN'
        ? `Incus refused access (${what}): Tidepool is not trusted by this server.`
        : `Incus could not ${action ?? `complete ${what}`}.`,
    ...(code === 'FORBIDDEN' ? { hint: 'Add the server again with a fresh trust token (incus config trust add tidepool).' } : {}),
    detail: envelope.error || `HTTP ${status}`,
  });
}

function operationFailed(client: IncusClient, action: string, detail: string): TidepoolError {
  if (DISK_FULL.test(detail)) return diskFull(client.describe(), action, detail);
  return new TidepoolError({ code: 'RUNTIME_ERROR', message: `${client.describe()} could not ${action}.`, detail });
}

/** Incus passes on the file system's own words when a storage pool (or the disk under it) is full. */
const DISK_FULL = /no space left on device|disk quota exceeded|\bENOSPC\b/i;

function diskFull(where: string, action: string, detail: string): TidepoolError {
  return new TidepoolError({
    code: 'DISK_FULL',
    message: `${where} ran out of disk space and could not ${action}.`,
    hint: 'Free space in the Incus storage pool (delete workspaces or images you no longer need) or make the pool larger; `incus storage info tidepool` shows how full it is. Then try again.',
    detail,
  });
}

function transportError(client: IncusClient, error: Error & { code?: string }): TidepoolError {
  if (error instanceof TidepoolError) return error;
  const where = client.describe();
  switch (error.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: `${where} is not answering: incusd is not running or not installed.`,
        hint: client.isRemote() ? 'Check that the server is up and reachable.' : 'Run `sudo scripts/setup-incus.sh` to install and start Incus.',
        detail: error.message,
      });
    case 'EACCES':
      return new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: `Tidepool may not use ${where}.`,
        hint: 'Add your user to the incus-admin group (sudo usermod -aG incus-admin $USER), then log out and in again.',
        detail: error.message,
      });
    default:
      return new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: `The connection to ${where} failed.`,
        hint: client.isRemote() ? 'Check the address and that the server is reachable.' : 'Run `sudo scripts/setup-incus.sh` to start Incus.',
        detail: error.message,
      });
  }
}
