/**
 * `tidepool serve` from a browser's point of view: login with the token, the session cookie, the API over
 * the WebSocket with its Origin check, and each workspace's IDE on an origin of its own.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationProgress, Workspace } from '../../src-shared/workspace.js';
import { SESSION_COOKIE } from '../../src-shared/transport.js';
import { simulatedHarness, type Harness } from '../workspaces/test-harness.js';
import { IDE_KEY_PARAM, ideCookieName } from './ide-proxy.js';
import { startServer, type RunningServer } from './server.js';
import { connectApi, type ApiClient } from './testing/api-client.js';

let harness: Harness;
let server: RunningServer;
let rendererDir: string;
let cookie: string;
let wsUrl: string;

beforeAll(async () => {
  harness = await simulatedHarness();
  rendererDir = mkdtempSync(join(tmpdir(), 'tidepool-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><div id="root">Tidepool app</div>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  server = await startServer({ core: harness.core, port: 0, rendererDir });
  wsUrl = `ws://127.0.0.1:${server.port}/api`;
});
afterAll(async () => {
  await server.close();
  await harness.core.workspaces.drain();
  await harness.core.dispose();
  rmSync(rendererDir, { recursive: true, force: true });
});

function get(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { headers, redirect: 'manual' });
}

/** A raw HTTP request, for what fetch will not send (a forged Host, an absolute-form target). */
function raw(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('login', () => {
  it('refuses every request without the token, or with a forged one (401)', async () => {
    expect((await get(`${server.origin}/`)).status).toBe(401);
    expect((await get(`${server.origin}/assets/app.js`)).status).toBe(401);
    expect((await get(`${server.origin}/?token=forged-${'x'.repeat(40)}`)).status).toBe(401);
    expect((await get(`${server.origin}/`, { authorization: `Bearer ${server.token}x` })).status).toBe(401);
    expect((await get(`${server.origin}/`, { cookie: `${SESSION_COOKIE}=${server.token}` })).status).toBe(401);
  });

  it('turns the token into an HttpOnly SameSite=Strict cookie and redirects to / without it', async () => {
    const login = await get(server.loginUrl);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]+; Path=/; HttpOnly; SameSite=Strict$`));
    expect(setCookie).not.toContain(server.token);
    cookie = setCookie.split(';')[0]!;
    const app = await get(`${server.origin}/`, { cookie });
    expect(app.status).toBe(200);
    expect(await app.text()).toContain('Tidepool app');
    expect(app.headers.get('x-frame-options')).toBe('DENY');
    expect(app.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(app.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await get(`${server.origin}/assets/app.js`, { authorization: `Bearer ${server.token}` })).status).toBe(200);
  });

  it('answers only for its own host name (no DNS rebinding)', async () => {
    const forged = await raw(server.port, '/', { host: `rebind.example:${server.port}`, cookie });
    expect(forged.status).toBe(421);
  });
});

describe('API over the WebSocket', () => {
  const origin = () => `http://127.0.0.1:${server.port}`;

  it('refuses an upgrade without the cookie, or from another origin', async () => {
    await expect(connectApi(wsUrl, { origin: origin() })).rejects.toThrow('HTTP 401');
    await expect(connectApi(wsUrl, { origin: 'http://evil.example', cookie })).rejects.toThrow('HTTP 403');
    // A workspace's IDE origin is another port on the same host: also refused.
    await expect(connectApi(wsUrl, { origin: `http://127.0.0.1:${server.port + 1}`, cookie })).rejects.toThrow('HTTP 403');
    await expect(connectApi(wsUrl, { cookie })).rejects.toThrow('HTTP 403');
  });

  it('lists, creates on the simulated runtime and pushes the events', async () => {
    const api = await connectApi(wsUrl, { origin: origin(), cookie });
    try {
      expect(await api.call('listWorkspaces')).toEqual({ ok: true, value: [] });
      const bad = await api.call('createWorkspace', { name: 'Bad Name' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      const created = await api.call('createWorkspace', { name: 'alpha', runtime: 'simulated' });
      expect(created).toMatchObject({ ok: true, value: { name: 'alpha', state: 'creating' } });
      const id = (created as { value: Workspace }).value.id;
      const done = (await api.waitForEvent(
        (event, payload) => event === 'progress' && (payload as OperationProgress).workspaceId === id && (payload as OperationProgress).done,
      )) as OperationProgress;
      expect(done.failed).toBe(false);
      expect(api.events.some((e) => e.event === 'workspaceChanged' && (e.payload as Workspace).state === 'ready')).toBe(true);

      const rounds: number[] = [];
      for (let i = 0; i < 200; i++) {
        const started = performance.now();
        await api.call('listWorkspaces');
        rounds.push(performance.now() - started);
      }
      rounds.sort((a, b) => a - b);
      console.info(`WebSocket round trip (listWorkspaces, 200 calls): median ${rounds[100]!.toFixed(2)} ms, p95 ${rounds[190]!.toFixed(2)} ms`);
      expect(rounds[100]).toBeLessThan(50);
    } finally {
      api.close();
    }
  });
});

describe('IDE proxy', () => {
  let api: ApiClient;
  const opened: Record<string, { url: URL; cookie: string }> = {};

  beforeAll(async () => {
    api = await connectApi(wsUrl, { origin: `http://127.0.0.1:${server.port}`, cookie });
    const created = await api.call('createWorkspace', { name: 'beta', runtime: 'simulated' });
    const betaId = (created as { value: Workspace }).value.id;
    await harness.core.workspaces.settled(betaId);
    for (const name of ['alpha', 'beta']) {
      const workspace = harness.core.workspaces.findByName(name)!;
      const result = (await api.call('openWorkspace', { id: workspace.id })) as { ok: true; value: { ideUrl: string } };
      const url = new URL(result.value.ideUrl);
      const login = await get(url.toString());
      opened[name] = { url, cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]! };
    }
  });
  afterAll(() => api.close());

  it('gives each workspace its own origin, never the API’s, and signs in once with the key', async () => {
    const alpha = opened.alpha!;
    const beta = opened.beta!;
    expect(alpha.url.hostname).toBe('127.0.0.1');
    expect(alpha.url.port).not.toBe(String(server.port));
    expect(alpha.url.port).not.toBe(beta.url.port);
    expect(alpha.url.searchParams.get(IDE_KEY_PARAM)).toBeTruthy();
    const alphaId = harness.core.workspaces.findByName('alpha')!.id;
    expect(alpha.cookie).toMatch(new RegExp(`^${ideCookieName(alphaId)}=`));
    const page = await get(`${alpha.url.origin}/`, { cookie: alpha.cookie });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('alpha');
    expect(page.headers.get('content-security-policy')).toContain(`frame-ancestors http://127.0.0.1:${server.port}`);
    expect(page.headers.get('x-frame-options')).toBeNull();
  });

  it('refuses the IDE without its own cookie: none, a wrong key, the app session, another workspace’s', async () => {
    const beta = opened.beta!;
    expect((await get(`${beta.url.origin}/`)).status).toBe(401);
    expect((await get(`${beta.url.origin}/?${IDE_KEY_PARAM}=guessed`)).status).toBe(401);
    expect((await get(`${beta.url.origin}/`, { cookie })).status).toBe(401);
    expect((await get(`${beta.url.origin}/`, { cookie: opened.alpha!.cookie })).status).toBe(401);
    expect((await get(`${beta.url.origin}/`, { cookie: beta.cookie })).status).toBe(200);
  });

  it('forwards only to the workspace’s own IDE: no other host, no absolute URL', async () => {
    let canaryHits = 0;
    const canary: Server = createServer((_req, res) => {
      canaryHits += 1;
      res.end('canary');
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    const canaryPort = (canary.address() as AddressInfo).port;
    try {
      const beta = opened.beta!;
      const port = Number(beta.url.port);
      const absolute = await raw(port, `http://127.0.0.1:${canaryPort}/`, { host: `127.0.0.1:${port}`, cookie: beta.cookie });
      expect(absolute.status).toBe(400);
      const otherHost = await raw(port, '/', { host: `127.0.0.1:${canaryPort}`, cookie: beta.cookie });
      expect(otherHost.status).toBe(421);
      const fine = await raw(port, '/', { host: `127.0.0.1:${port}`, cookie: beta.cookie });
      expect(fine.body).toContain('beta');
      expect(canaryHits).toBe(0);
    } finally {
      canary.close();
    }
  });

  it('says the workspace is not running once it stops, and closes its origin when it is deleted', async () => {
    const alpha = harness.core.workspaces.findByName('alpha')!;
    await api.call('stopWorkspace', { id: alpha.id });
    await harness.core.workspaces.settled(alpha.id);
    expect((await get(`${opened.alpha!.url.origin}/`, { cookie: opened.alpha!.cookie })).status).toBe(502);
    await api.call('deleteWorkspace', { id: alpha.id });
    await harness.core.workspaces.settled(alpha.id);
    expect(server.ideProxies.portOf(alpha.id)).toBeNull();
    expect(readFileSync(join(harness.core.dataDir, 'server-ide-ports.json'), 'utf8')).not.toContain(alpha.id);
    await expect(get(`${opened.alpha!.url.origin}/`)).rejects.toThrow();
  });
});
