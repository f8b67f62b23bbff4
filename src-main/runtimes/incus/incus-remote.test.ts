import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { TidepoolError } from '../../../src-shared/errors.js';
import { clientCertificatePaths, decodeTrustToken, loadOrCreateClientCertificate } from './incus-remote.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const token = (fields: Record<string, unknown>): string => Buffer.from(JSON.stringify(fields)).toString('base64');
const FINGERPRINT = 'a2d372ba78407ecaad802aed60ea24b44099ecbf3c9c143eba2e73557607d769';

describe('trust tokens', () => {
  it('reads the server fingerprint, addresses and secret', () => {
    const decoded = decodeTrustToken(
      token({ client_name: 'tidepool', fingerprint: FINGERPRINT, addresses: ['127.0.0.1:8443'], secret: 's3cret', expires_at: '0001-01-01T00:00:00Z' }),
    );
    expect(decoded).toEqual({ clientName: 'tidepool', fingerprint: FINGERPRINT, addresses: ['127.0.0.1:8443'], secret: 's3cret', expiresAt: null });
  });

  it('refuses text that is not a token, without touching anything', () => {
    expect(() => decodeTrustToken('hello')).toThrow(/not an Incus trust token/);
    expect(() => decodeTrustToken(token({ fingerprint: 'short', secret: 'x' }))).toThrow(/not an Incus trust token/);
    // Copied with the prompt, or a token of another tool: the details say what it is not, in plain words.
    for (const [pasted, detail] of [
      ['$ incus config trust add tidepool', 'not base64-encoded JSON'],
      [Buffer.from('null').toString('base64'), 'not a JSON object'],
    ] as const) {
      const error = (() => {
        try {
          decodeTrustToken(pasted);
        } catch (caught) {
          return caught as TidepoolError;
        }
        return null;
      })();
      expect(error?.code).toBe('INVALID_INPUT');
      expect(error?.detail).toContain(detail);
    }
  });

  it('refuses an expired token with a hint to make a new one', () => {
    try {
      decodeTrustToken(token({ fingerprint: FINGERPRINT, secret: 'x', addresses: [], expires_at: '2001-01-01T00:00:00Z' }));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/expired/);
      expect((error as { hint?: string }).hint).toMatch(/incus config trust add/);
    }
  });
});

describe('the client certificate', () => {
  it('is created once as owner-only files and reused afterwards', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tp-cert-'));
    dirs.push(dataDir);
    const first = await loadOrCreateClientCertificate(dataDir);
    const paths = clientCertificatePaths(dataDir);
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(statSync(paths.cert).mode & 0o777).toBe(0o600);
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700);
    const cert = new X509Certificate(first.cert);
    expect(cert.subject).toMatch(/CN=tidepool@/);
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(first.key))).toBe(true);
    const second = await loadOrCreateClientCertificate(dataDir);
    expect(second.cert).toBe(first.cert);
  });
});
