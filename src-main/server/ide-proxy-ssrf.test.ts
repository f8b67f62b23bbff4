/**
 * The IDE proxy must never become a way to reach anything but the workspace's own IDE, even for a browser
 * that holds the IDE's cookie: request lines and Host headers are written raw here (as an attacker's
 * client would), and a canary service on another local port must never see a byte. server.test.ts
 * covers a plain absolute URL and a Host naming another port; this covers the rest of the tricks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdeProxies } from './ide-proxy.js';

const WORKSPACE = '0b5e8a52-7a31-4c3e-9d11-1f2e3d4c5b6a';
let folder: string;
let ide: Server;
let idePort: number;
const ideSaw: string[] = [];
let canary: TcpServer;
let canaryPort: number;
let canaryBytes = 0;
let proxies: IdeProxies;
let port: number;
let cookie: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'tidepool-ssrf-'));
  ide = createServer((req, res) => {
    ideSaw.push(`${req.method} ${req.url}`);
    res.end('the IDE');
  });
  await new Promise<void>((resolve) => ide.listen(0, '127.0.0.1', resolve));
  idePort = (ide.address() as AddressInfo).port;
  // Any local service an attacker would like to reach (sshd, a database, a cloud metadata stand-in).
  canary = createTcpServer((socket) => {
    socket.on('data', (chunk) => (canaryBytes += chunk.length));
    socket.end('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\ncanary');
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryPort = (canary.address() as AddressInfo).port;
  proxies = new IdeProxies({
    bindHost: '127.0.0.1',
    tls: null,
    appPort: () => 7080,
    allowsHostname: (name) => name === '127.0.0.1' || name === 'localhost',
    portsFile: join(folder, 'ports.json'),
    upstreamPort: () => idePort,
  });
  const url = new URL(await proxies.urlFor(WORKSPACE, `http://127.0.0.1:${idePort}/`, '127.0.0.1'));
  port = Number(url.port);
  const login = await fetch(url, { redirect: 'manual' });
  cookie = login.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(async () => {
  await proxies.closeAll();
  ide.close();
  canary.close();
  rmSync(folder, { recursive: true, force: true });
});

/** Writes a raw request and returns the status line (or how the connection ended). */
function rawRequest(head: string, body = ''): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(answer.split('\r\n')[0] || 'no answer');
    }, 3_000);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer.split('\r\n')[0] || 'closed without an answer');
    });
    socket.on('error', () => undefined);
    socket.write(`${head}\r\n\r\n${body}`);
  });
}

const own = (): string => `127.0.0.1:${port}`;

describe('the IDE proxy forwards to the workspace’s IDE and nowhere else', () => {
  it('refuses request targets that are not a path on this origin', async () => {
    for (const target of [
      `//127.0.0.1:${canaryPort}/`,
      `//127.0.0.1:${canaryPort}`,
      `http://127.0.0.1:${canaryPort}/`,
      `HTTP://127.0.0.1:${canaryPort}/`,
      'http://evil.example/',
      `http://${own()}@127.0.0.1:${canaryPort}/`,
      '*',
      `127.0.0.1:${canaryPort}`,
    ]) {
      const status = await rawRequest(`GET ${target} HTTP/1.1\r\nHost: ${own()}\r\nCookie: ${cookie}\r\nConnection: close`);
      expect(status, target).toMatch(/^HTTP\/1\.1 (400|421) |^closed without an answer$/);
    }
    expect(canaryBytes).toBe(0);
  });

  it('never opens a tunnel (CONNECT) to another host or port', async () => {
    for (const target of [`127.0.0.1:${canaryPort}`, `127.0.0.1:${idePort}`, 'evil.example:443']) {
      const status = await rawRequest(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nCookie: ${cookie}`);
      expect(status, target).not.toMatch(/^HTTP\/1\.1 2\d\d/);
    }
    expect(canaryBytes).toBe(0);
  });

  it('answers only for its own host and port, whatever the Host header tries', async () => {
    for (const host of [
      `127.0.0.1:${canaryPort}`,
      `evil.example:${port}`,
      `${own()}@evil.example`,
      `evil.example@${own()}`,
      `${own()}/path`,
      `${own()}#frag`,
      `127.0.0.1.nip.io:${port}`,
      `[::1]:${port}`,
      '',
    ]) {
      const status = await rawRequest(`GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nConnection: close`);
      expect(status, JSON.stringify(host)).toMatch(/^HTTP\/1\.1 (400|421) /);
    }
    // Numeric spellings of 127.0.0.1 are that same address (read as browsers read them): the same IDE.
    ideSaw.length = 0;
    for (const host of [`127.1:${port}`, `0x7f000001:${port}`, `2130706433:${port}`]) {
      expect(await rawRequest(`GET /same HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nConnection: close`), host).toBe('HTTP/1.1 200 OK');
    }
    expect(ideSaw).toEqual(['GET /same', 'GET /same', 'GET /same']);
    // Two Host headers are malformed HTTP.
    expect(await rawRequest(`GET / HTTP/1.1\r\nHost: ${own()}\r\nHost: 127.0.0.1:${canaryPort}\r\nCookie: ${cookie}\r\nConnection: close`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(canaryBytes).toBe(0);
  });

  it('sends odd paths to the IDE itself, as paths, never as somewhere else to go', async () => {
    ideSaw.length = 0;
    const paths = ['/@127.0.0.1:22/', `/%2F%2F127.0.0.1:${canaryPort}/`, '/..%2F..%2Fetc%2Fpasswd', `/\\\\127.0.0.1:${canaryPort}/`, '/?url=http://169.254.169.254/'];
    for (const path of paths) {
      const status = await rawRequest(`GET ${path} HTTP/1.1\r\nHost: ${own()}\r\nCookie: ${cookie}\r\nConnection: close`);
      expect(status, path).toBe('HTTP/1.1 200 OK');
    }
    expect(ideSaw).toEqual(paths.map((path) => `GET ${path}`));
    expect(canaryBytes).toBe(0);
  });

  it('refuses a WebSocket upgrade aimed at another host or port', async () => {
    const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';
    for (const [target, host] of [
      [`http://127.0.0.1:${canaryPort}/`, own()],
      [`//127.0.0.1:${canaryPort}/`, own()],
      ['/', `127.0.0.1:${canaryPort}`],
      // A second Host line would be passed on to the IDE with the upgrade.
      ['/', `${own()}\r\nHost: 127.0.0.1:${canaryPort}`],
    ] as const) {
      const status = await rawRequest(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${own()}\r\nCookie: ${cookie}\r\n${upgrade}`);
      expect(status, `${target} ${host}`).toMatch(/^HTTP\/1\.1 (400|403|421) /);
    }
    expect(canaryBytes).toBe(0);
  });

  it('does not let a second request smuggled in the body reach anything', async () => {
    const smuggled = `GET http://127.0.0.1:${canaryPort}/ HTTP/1.1\r\nHost: 127.0.0.1:${canaryPort}\r\n\r\n`;
    const status = await rawRequest(
      `POST / HTTP/1.1\r\nHost: ${own()}\r\nCookie: ${cookie}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked`,
      `0\r\n\r\n${smuggled}`,
    );
    expect(status).toMatch(/^HTTP\/1\.1 (400|200) /);
    expect(canaryBytes).toBe(0);
  });
});
