/**
 * Each workspace's IDE, reverse-proxied on an origin of its own (its own port on the server's address),
 * never on the origin that serves the API: a page inside one workspace can neither call Tidepool's API nor
 * read another workspace. Each origin has its own login: a random key in the URL once, then a cookie
 * only this workspace accepts. Requests go to that workspace's IDE tunnel on 127.0.0.1 and nowhere else.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { derive, parseCookies, safeEqual, sessionCookieHeader, withoutCookies } from './auth.js';
import { ideFrameHeaders } from './security-headers.js';

export const IDE_KEY_PARAM = 'tidepool-ide-key';
const TIDEPOOL_COOKIE_PREFIX = 'tidepool_';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface IdeProxyOptions {
  bindHost: string;
  tls: { cert: string; key: string } | null;
  appPort: () => number;
  /** Host names the browser may use for this server (the same rule as the app's). */
  allowsHostname: (hostname: string) => boolean;
  /** Remembers each workspace's proxy port, so its IDE keeps one origin (and its browser storage). */
  portsFile: string;
  /** The workspace's IDE tunnel port on 127.0.0.1 now, or null when it is not running. */
  upstreamPort: (workspaceId: string) => number | null;
}

interface Entry {
  workspaceId: string;
  server: Server;
  port: number;
  key: string;
  cookieName: string;
  cookieValue: string;
  sockets: Set<Socket>;
}

export function ideCookieName(workspaceId: string): string {
  return `${TIDEPOOL_COOKIE_PREFIX}ide_${workspaceId.replace(/-/g, '')}`;
}

export class IdeProxies {
  private readonly entries = new Map<string, Entry>();
  private readonly starting = new Map<string, Promise<Entry>>();

  constructor(private readonly options: IdeProxyOptions) {}

  private get scheme(): 'http' | 'https' {
    return this.options.tls ? 'https' : 'http';
  }

  /**
   * The URL that opens the workspace's IDE through its proxy, for a browser that reached the server as
   * `hostname`; `ideUrl` is the tunnel's own URL (its path and query are kept).
   */
  async urlFor(workspaceId: string, ideUrl: string, hostname: string): Promise<string> {
    const entry = await this.entry(workspaceId);
    const tunnel = new URL(ideUrl);
    const url = new URL(`${this.scheme}://${hostname}:${entry.port}${tunnel.pathname}${tunnel.search}`);
    url.searchParams.set(IDE_KEY_PARAM, entry.key);
    return url.toString();
  }

  portOf(workspaceId: string): number | null {
    return this.entries.get(workspaceId)?.port ?? null;
  }

  async close(workspaceId: string): Promise<void> {
    const entry = this.entries.get(workspaceId);
    if (!entry) return;
    this.entries.delete(workspaceId);
    for (const socket of entry.sockets) socket.destroy();
    await new Promise<void>((resolve) => entry.server.close(() => resolve()));
  }

  /** The workspace is gone: close its origin and forget its port. */
  async remove(workspaceId: string): Promise<void> {
    const { [workspaceId]: _gone, ...rest } = this.rememberedPorts();
    writeFileSync(this.options.portsFile, JSON.stringify(rest), { mode: 0o600 });
    await this.close(workspaceId);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.close(id)));
  }

  private entry(workspaceId: string): Promise<Entry> {
    const existing = this.entries.get(workspaceId);
    if (existing) return Promise.resolve(existing);
    let pending = this.starting.get(workspaceId);
    if (!pending) {
      pending = this.start(workspaceId).finally(() => this.starting.delete(workspaceId));
      this.starting.set(workspaceId, pending);
    }
    return pending;
  }

  private async start(workspaceId: string): Promise<Entry> {
    const key = randomBytes(32).toString('base64url');
    const entry: Entry = {
      workspaceId,
      server: null as unknown as Server,
      port: 0,
      key,
      cookieName: ideCookieName(workspaceId),
      cookieValue: derive(key, `ide:${workspaceId}`),
      sockets: new Set(),
    };
    const handler = (request: IncomingMessage, response: ServerResponse): void => this.handle(entry, request, response);
    entry.server = this.options.tls ? createHttpsServer({ ...this.options.tls }, handler) : createHttpServer(handler);
    entry.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(entry, request, socket, head));
    entry.server.on('connection', (socket: Socket) => {
      entry.sockets.add(socket);
      socket.on('close', () => entry.sockets.delete(socket));
    });
    const remembered = this.rememberedPorts()[workspaceId];
    entry.port = await listen(entry.server, this.options.bindHost, remembered ?? 0).catch(() => listen(entry.server, this.options.bindHost, 0));
    this.remember(workspaceId, entry.port);
    this.entries.set(workspaceId, entry);
    return entry;
  }

  /** Null when the request is fine; otherwise the status and the reason to answer with. */
  private refuse(entry: Entry, request: IncomingMessage, websocket: boolean): [number, string] | null {
    const target = request.url ?? '';
    // Only origin-form targets: an absolute URL here must never make this a forward proxy.
    if (!target.startsWith('/') || target.startsWith('//')) return [400, 'Bad request target.'];
    // Node keeps only the first of several Host lines, but an upgrade forwards them all (RFC 9112: 400).
    if (request.rawHeaders.filter((name, index) => index % 2 === 0 && name.toLowerCase() === 'host').length !== 1) return [400, 'One Host header, please.'];
    const host = parseHost(request.headers.host, this.options.tls !== null);
    if (!host || host.port !== entry.port || !this.options.allowsHostname(host.hostname)) return [421, 'Wrong host for this workspace.'];
    if (websocket && request.headers.origin !== `${this.scheme}://${request.headers.host}`) return [403, 'Cross-origin WebSocket refused.'];
    return null;
  }

  private authorised(entry: Entry, request: IncomingMessage): boolean {
    const presented = parseCookies(request.headers.cookie).get(entry.cookieName);
    return presented !== undefined && safeEqual(presented, entry.cookieValue);
  }

  private handle(entry: Entry, request: IncomingMessage, response: ServerResponse): void {
    const refusal = this.refuse(entry, request, false);
    const host = parseHost(request.headers.host, this.options.tls !== null);
    const frame = ideFrameHeaders(`${this.scheme}://${host ? formatHost(host.hostname) : 'invalid'}:${this.options.appPort()}`);
    if (refusal) {
      page(response, refusal[0], refusal[1], frame);
      return;
    }
    const url = new URL(request.url!, 'http://x');
    const presentedKey = url.searchParams.get(IDE_KEY_PARAM);
    if (presentedKey !== null) {
      if (!safeEqual(presentedKey, entry.key)) {
        page(response, 401, 'This link has expired. Open the workspace again from Tidepool.', frame);
        return;
      }
      url.searchParams.delete(IDE_KEY_PARAM);
      response.writeHead(303, {
        ...frame,
        'set-cookie': sessionCookieHeader(entry.cookieName, entry.cookieValue, this.options.tls !== null),
        location: `${url.pathname}${url.search}`,
        'cache-control': 'no-store',
      });
      response.end();
      return;
    }
    if (!this.authorised(entry, request)) {
      page(response, 401, 'Open this workspace from Tidepool to sign in to its IDE.', frame);
      return;
    }
    const upstreamPort = this.options.upstreamPort(entry.workspaceId);
    if (upstreamPort === null) {
      page(response, 502, 'This workspace is not running. Start it from Tidepool, then reload.', frame);
      return;
    }
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        method: request.method,
        path: request.url,
        headers: this.forwardHeaders(request),
      },
      (answer) => {
        const policies: string[] = [String(frame['content-security-policy'])];
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value === undefined || HOP_BY_HOP.has(name) || name === 'x-frame-options') continue;
          if (name === 'content-security-policy') {
            // The workspace's own policy stays, except who may frame it: that is the app, decided here.
            const kept = stripFrameAncestors(value);
            if (kept) policies.unshift(kept);
            continue;
          }
          response.setHeader(name, value);
        }
        response.setHeader('content-security-policy', policies);
        response.writeHead(answer.statusCode ?? 502);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) page(response, 502, 'The workspace’s IDE did not answer. Reload in a moment.', frame);
      else response.destroy();
    });
    request.pipe(upstream);
  }

  private forwardHeaders(request: IncomingMessage): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = {};
    const connectionTokens = new Set(
      String(request.headers.connection ?? '')
        .split(',')
        .map((token) => token.trim().toLowerCase()),
    );
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name) || connectionTokens.has(name)) continue;
      if (name === 'cookie' || name === 'authorization') continue;
      headers[name] = value;
    }
    const cookie = withoutCookies(request.headers.cookie, (name) => name.startsWith(TIDEPOOL_COOKIE_PREFIX));
    if (cookie) headers.cookie = cookie;
    headers['x-forwarded-proto'] = this.scheme;
    return headers;
  }

  private upgrade(entry: Entry, request: IncomingMessage, socket: Socket, head: Buffer): void {
    const refusal = this.refuse(entry, request, true) ?? (this.authorised(entry, request) ? null : ([401, 'Unauthorised.'] as [number, string]));
    const upstreamPort = refusal ? null : this.options.upstreamPort(entry.workspaceId);
    if (refusal || upstreamPort === null) {
      const [status, reason] = refusal ?? [502, 'Workspace not running.'];
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const upstream = connect(upstreamPort, '127.0.0.1');
    const lines = [`${request.method} ${request.url} HTTP/1.1`];
    for (let index = 0; index < request.rawHeaders.length; index += 2) {
      const name = request.rawHeaders[index]!;
      const lower = name.toLowerCase();
      if (lower === 'cookie' || lower === 'authorization') continue;
      lines.push(`${name}: ${request.rawHeaders[index + 1]}`);
    }
    const cookie = withoutCookies(request.headers.cookie, (name) => name.startsWith(TIDEPOOL_COOKIE_PREFIX));
    if (cookie) lines.push(`Cookie: ${cookie}`);
    lines.push(`X-Forwarded-Proto: ${this.scheme}`);
    upstream.once('connect', () => {
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    const close = (): void => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', close);
    socket.on('close', close);
  }

  private rememberedPorts(): Record<string, number> {
    if (!existsSync(this.options.portsFile)) return {};
    try {
      return JSON.parse(readFileSync(this.options.portsFile, 'utf8')) as Record<string, number>;
    } catch {
      return {};
    }
  }

  private remember(workspaceId: string, port: number): void {
    writeFileSync(this.options.portsFile, JSON.stringify({ ...this.rememberedPorts(), [workspaceId]: port }), { mode: 0o600 });
  }
}

/** The Host header's name and port; browsers leave the port out when it is the scheme's default. */
export function parseHost(header: string | undefined, secure: boolean): { hostname: string; port: number } | null {
  if (!header) return null;
  try {
    const url = new URL(`http://${header}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return null;
    return { hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : secure ? 443 : 80 };
  } catch {
    return null;
  }
}

export function formatHost(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

function stripFrameAncestors(value: string | string[]): string | null {
  const policies = (Array.isArray(value) ? value : [value])
    .map((policy) =>
      policy
        .split(';')
        .map((directive) => directive.trim())
        .filter((directive) => directive !== '' && !directive.toLowerCase().startsWith('frame-ancestors'))
        .join('; '),
    )
    .filter((policy) => policy !== '');
  return policies.length > 0 ? policies.join(', ') : null;
}

function page(response: ServerResponse, status: number, message: string, headers: OutgoingHttpHeaders): void {
  response.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(`<!doctype html><meta charset="utf-8"><title>Tidepool</title><body style="font-family:system-ui;padding:2rem"><p>${message}</p></body>`);
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
