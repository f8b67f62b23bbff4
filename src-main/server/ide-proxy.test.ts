/**
 * The IDE proxy against a stand-in IDE that echoes what it receives: Tidepool's cookies never reach the
 * workspace, the IDE may be framed by the app only, and WebSockets (code-server needs them) pass through
 * after the Origin and cookie checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { SESSION_COOKIE } from '../../src-shared/transport.js';
import { IdeProxies } from './ide-proxy.js';

const WORKSPACE = '6f1c2a8e-0b7d-4c55-9a8e-2f4b1c3d5e6f';
let folder: string;
let upstream: Server;
let upstreamPort: number;
let wss: WebSocketServer;
let proxies: IdeProxies;
let origin: string;
let cookie: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'tidepool-proxy-'));
  upstream = createServer((req, res) => {
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', "default-src 'self'; frame-ancestors 'none'");
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  wss = new WebSocketServer({ server: upstream });
  wss.on('connection', (socket, req) => {
    socket.on('message', (data) => socket.send(`echo:${data.toString()}|cookie:${req.headers.cookie ?? ''}`));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
  proxies = new IdeProxies({
    bindHost: '127.0.0.1',
    tls: null,
    appPort: () => 7080,
    allowsHostname: (name) => name === '127.0.0.1' || name === 'localhost',
    portsFile: join(folder, 'ports.json'),
    upstreamPort: () => upstreamPort,
  });
  const url = new URL(await proxies.urlFor(WORKSPACE, `http://127.0.0.1:${upstreamPort}/?folder=/home/dev`, '127.0.0.1'));
  origin = url.origin;
  const login = await fetch(url, { redirect: 'manual' });
  expect(login.status).toBe(303);
  expect(login.headers.get('location')).toBe('/?folder=%2Fhome%2Fdev');
  cookie = login.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(async () => {
  await proxies.closeAll();
  wss.close();
  upstream.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('HTTP through the proxy', () => {
  it('keeps the path and the Host, and strips Tidepool’s own cookies and credentials', async () => {
    const answer = await fetch(`${origin}/static/app.js?v=1`, {
      headers: { cookie: `${cookie}; ${SESSION_COOKIE}=app-session; vscode-tkn=keep-me`, authorization: 'Bearer secret' },
    });
    expect(answer.status).toBe(200);
    const seen = (await answer.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/static/app.js?v=1');
    expect(seen.headers.host).toBe(new URL(origin).host);
    expect(seen.headers.cookie).toBe('vscode-tkn=keep-me');
    expect(seen.headers.authorization).toBeUndefined();
  });

  it('lets the app frame the IDE, and nobody else', async () => {
    const answer = await fetch(`${origin}/`, { headers: { cookie } });
    expect(answer.headers.get('x-frame-options')).toBeNull();
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain("frame-ancestors 'none'");
    expect(csp).toContain('frame-ancestors http://127.0.0.1:7080');
  });

  it('keeps the same origin for the workspace when the proxy starts again', async () => {
    const port = proxies.portOf(WORKSPACE);
    await proxies.close(WORKSPACE);
    const again = new URL(await proxies.urlFor(WORKSPACE, `http://127.0.0.1:${upstreamPort}/`, '127.0.0.1'));
    expect(Number(again.port)).toBe(port);
    // A fresh connection: the old server's keep-alive connections were closed with it.
    const setCookie = await new Promise<string>((resolve, reject) =>
      get(again, { agent: false }, (res) => {
        res.resume();
        resolve(String(res.headers['set-cookie']?.[0] ?? ''));
      }).on('error', reject),
    );
    cookie = setCookie.split(';')[0]!;
    expect(cookie).toMatch(/^tidepool_ide_/);
  });
});

describe('WebSockets through the proxy', () => {
  function open(headers: Record<string, string>): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace('http', 'ws')}/stable-1234`, { headers });
      ws.on('open', () => resolve(ws));
      ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.on('error', reject);
    });
  }

  it('passes an upgrade with the IDE’s own origin and cookie through, without Tidepool’s cookie', async () => {
    const ws = await open({ origin, cookie: `${cookie}; other=1` });
    const reply = await new Promise<string>((resolve) => {
      ws.once('message', (data) => resolve(data.toString()));
      ws.send('hello');
    });
    ws.close();
    expect(reply).toBe('echo:hello|cookie:other=1');
  });

  it('refuses an upgrade from another origin or without the cookie', async () => {
    await expect(open({ origin: 'http://127.0.0.1:7080', cookie })).rejects.toThrow('HTTP 403');
    await expect(open({ origin })).rejects.toThrow('HTTP 401');
  });
});
