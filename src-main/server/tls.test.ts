/**
 * TLS for a server reachable from elsewhere: which addresses need it, the self-signed certificate Tidepool
 * makes (owner-only key, kept and reused), and the server actually speaking HTTPS with a Secure cookie.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src-shared/transport.js';
import { simulatedHarness, type Harness } from '../workspaces/test-harness.js';
import { needsTls, startServer } from './server.js';
import { loadTls } from './tls.js';

let harness: Harness;
let folder: string;

beforeAll(async () => {
  harness = await simulatedHarness();
  folder = mkdtempSync(join(tmpdir(), 'tidepool-tls-'));
});
afterAll(async () => {
  await harness.core.dispose();
  rmSync(folder, { recursive: true, force: true });
});

describe('TLS', { timeout: 30_000 }, () => {
  it('is required for every address but loopback', () => {
    expect(needsTls('127.0.0.1')).toBe(false);
    expect(needsTls('localhost')).toBe(false);
    expect(needsTls('::1')).toBe(false);
    expect(needsTls('0.0.0.0')).toBe(true);
    expect(needsTls('::')).toBe(true);
    expect(needsTls('192.0.2.10')).toBe(true);
  });

  it('makes a self-signed certificate for the names asked, with an owner-only key, and reuses it', async () => {
    const first = await loadTls({ dataDir: folder, names: ['tidepool.example', '192.0.2.10'] });
    const x509 = new X509Certificate(first.cert);
    expect(x509.checkHost('tidepool.example')).toBe('tidepool.example');
    expect(x509.checkIP('192.0.2.10')).toBe('192.0.2.10');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(first.selfSigned).toBe(true);
    expect(statSync(join(folder, 'server-tls', 'key.pem')).mode & 0o777).toBe(0o600);
    const again = await loadTls({ dataDir: folder, names: ['tidepool.example'] });
    expect(again.fingerprint).toBe(first.fingerprint);
    const wider = await loadTls({ dataDir: folder, names: ['other.example'] });
    expect(wider.fingerprint).not.toBe(first.fingerprint);
  });

  it('serves HTTPS with the given certificate and marks the session cookie Secure', async () => {
    const tls = await loadTls({ dataDir: folder, names: ['localhost'] });
    const server = await startServer({
      core: harness.core,
      port: 0,
      rendererDir: folder,
      tlsCert: tls.certPath,
      tlsKey: join(folder, 'server-tls', 'key.pem'),
    });
    try {
      expect(server.origin.startsWith('https://127.0.0.1:')).toBe(true);
      const answer = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        const req = request(`${server.loginUrl}`, { ca: tls.cert, servername: 'localhost' }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie']?.[0] ?? '') });
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(303);
      expect(answer.cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=.*; Secure$`));
    } finally {
      await server.close();
    }
  });
});
