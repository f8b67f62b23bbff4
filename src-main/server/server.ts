/**
 * `tidepool serve`: the same core and the same typed contract as the desktop app, for a browser. The app is
 * served with its API (a WebSocket) on one origin; each workspace's IDE gets an origin of its own (see
 * ide-proxy.ts). Loopback by default; anywhere else only over TLS; always behind the login token.
 */
import { createServer as createHttpServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { hostname as machineName } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { TidepoolError } from '../../src-shared/errors.js';
import { SESSION_COOKIE, WS_PATH } from '../../src-shared/transport.js';
import type { Handlers } from '../api/dispatch.js';
import { createHandlers } from '../api/handlers.js';
import type { Core } from '../core.js';
import { createApiSocket } from './api-socket.js';
import { bearerOf, derive, loadOrCreateToken, parseCookies, safeEqual, sessionCookieHeader } from './auth.js';
import { formatHost, IdeProxies, parseHost } from './ide-proxy.js';
import { appHeaders } from './security-headers.js';
import { serveStatic } from './static-files.js';
import { loadTls, type TlsMaterial } from './tls.js';

export const DEFAULT_PORT = 7080;
export const TOKEN_PARAM = 'token';

export interface ServeOptions {
  core: Core;
  /** Defaults to the core's own handlers. */
  handlers?: Handlers;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Certificate files; without them, a non-loopback address gets a self-signed certificate. */
  tlsCert?: string;
  tlsKey?: string;
  rendererDir: string;
}

export interface RunningServer {
  /** The app's origin, e.g. http://127.0.0.1:7080 */
  origin: string;
  /** The URL that signs a browser in (carries the token). */
  loginUrl: string;
  port: number;
  tls: TlsMaterial | null;
  token: string;
  ideProxies: IdeProxies;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Anything that can be reached from another computer is served over TLS only. */
export function needsTls(host: string): boolean {
  return !isLoopback(host);
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { core } = options;
  const bindHost = options.host ?? '127.0.0.1';
  const loopback = isLoopback(bindHost);
  const wantsTls = needsTls(bindHost) || options.tlsCert !== undefined || options.tlsKey !== undefined;
  const displayHost = isWildcard(bindHost) ? machineName() : bindHost;
  const tls = wantsTls
    ? await loadTls({
        dataDir: core.dataDir,
        names: [displayHost],
        ...(options.tlsCert !== undefined ? { certPath: options.tlsCert } : {}),
        ...(options.tlsKey !== undefined ? { keyPath: options.tlsKey } : {}),
      })
    : null;
  const scheme = tls ? 'https' : 'http';
  const token = loadOrCreateToken(core.dataDir);
  const session = derive(token, 'session');
  const allowedNames = loopback ? new Set(['127.0.0.1', 'localhost', '::1', bindHost]) : new Set([bindHost, displayHost]);
  const allowsHostname = (name: string): boolean => isWildcard(bindHost) || allowedNames.has(name);

  const base = options.handlers ?? createHandlers(core);
  let port = 0;
  const ideProxies = new IdeProxies({
    bindHost,
    tls: tls ? { cert: tls.cert, key: tls.key } : null,
    appPort: () => port,
    allowsHostname,
    portsFile: join(core.dataDir, 'server-ide-ports.json'),
    upstreamPort: (workspaceId) => {
      try {
        const workspace = core.workspaces.get(workspaceId);
        const tunnel = new URL(core.guestFor(workspace.runtime).ideUrl(workspaceId));
        return tunnel.hostname === '127.0.0.1' && tunnel.port ? Number(tunnel.port) : null;
      } catch {
        return null;
      }
    },
  });
  const stopWatching = core.events.on('workspaceRemoved', ({ id }) => void ideProxies.remove(id));
  const api = createApiSocket(core.events);

  /** The handlers for one browser connection: the IDE's URL is its proxy, on the host name that browser uses. */
  const handlersFor = (hostname: string): Handlers => ({
    ...base,
    openWorkspace: async (input) => {
      const opened = await base.openWorkspace(input);
      return { ...opened, ideUrl: await ideProxies.urlFor(opened.workspace.id, opened.ideUrl, formatHost(hostname)) };
    },
  });

  const authorised = (request: IncomingMessage): boolean => {
    const cookie = parseCookies(request.headers.cookie).get(SESSION_COOKIE);
    if (cookie !== undefined && safeEqual(cookie, session)) return true;
    const bearer = bearerOf(request);
    return bearer !== null && safeEqual(bearer, token);
  };

  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const host = parseHost(request.headers.host, tls !== null);
    if (!host || host.port !== port || !allowsHostname(host.hostname) || !request.url?.startsWith('/')) {
      response.writeHead(421, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('This server does not answer for that host.\n');
      return;
    }
    const origin = `${scheme}://${request.headers.host}`;
    const headers = appHeaders(origin);
    const url = new URL(request.url, origin);
    const presented = url.searchParams.get(TOKEN_PARAM);
    if (presented !== null) {
      if (!safeEqual(presented, token)) {
        signInPage(response, headers, 'That login link is not valid (the token may have changed).');
        return;
      }
      url.searchParams.delete(TOKEN_PARAM);
      response.writeHead(303, {
        ...headers,
        'set-cookie': sessionCookieHeader(SESSION_COOKIE, session, tls !== null),
        location: `${url.pathname}${url.search}`,
        'cache-control': 'no-store',
      });
      response.end();
      return;
    }
    if (!authorised(request)) {
      signInPage(response, headers, 'Open Tidepool with the link that `tidepool serve` printed (it ends in ?token=…).');
      return;
    }
    if (url.pathname === WS_PATH) {
      response.writeHead(426, { ...headers, 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
      response.end('Connect with a WebSocket.\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      response.end('Method not allowed.\n');
      return;
    }
    serveStatic(options.rendererDir, request, response, headers);
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const host = parseHost(request.headers.host, tls !== null);
    const reject = (status: number, reason: string): void => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!host || host.port !== port || !allowsHostname(host.hostname)) return reject(421, 'Misdirected Request');
    if (new URL(request.url ?? '/', 'http://x').pathname !== WS_PATH) return reject(404, 'Not Found');
    if (request.headers.origin !== `${scheme}://${request.headers.host}`) return reject(403, 'Forbidden');
    if (!authorised(request)) return reject(401, 'Unauthorized');
    api.accept(request, socket, head, handlersFor(host.hostname));
  };

  const server: Server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, onRequest) : createHttpServer(onRequest);
  server.on('upgrade', onUpgrade);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new TidepoolError({
              code: 'BUSY',
              message: `Port ${options.port ?? DEFAULT_PORT} on ${bindHost} is already in use.`,
              hint: 'Stop whatever uses it, or pick another port with --port.',
            })
          : new TidepoolError({ code: 'INTERNAL', message: `Cannot listen on ${bindHost}.`, detail: error.message }),
      );
    });
    server.listen(options.port ?? DEFAULT_PORT, bindHost, () => resolve((server.address() as AddressInfo).port));
  });
  const origin = `${scheme}://${formatHost(displayHost)}:${port}`;
  return {
    origin,
    loginUrl: `${origin}/?${TOKEN_PARAM}=${token}`,
    port,
    tls,
    token,
    ideProxies,
    close: async () => {
      stopWatching();
      await api.close();
      await ideProxies.closeAll();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function signInPage(response: ServerResponse, headers: OutgoingHttpHeaders, message: string): void {
  response.writeHead(401, { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(
    '<!doctype html><meta charset="utf-8"><title>Tidepool: sign in</title>' +
      `<body style="font-family:system-ui;padding:2rem"><h1>Tidepool</h1><p>${message}</p></body>`,
  );
}
