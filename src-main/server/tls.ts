/**
 * TLS for `tidepool serve` when it listens beyond this computer: the user's certificate, or a self-signed
 * one made once and kept owner-only in the data folder (its fingerprint is printed so it can be checked).
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { TidepoolError } from '../../src-shared/errors.js';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint, for the user to compare with what the browser shows. */
  fingerprint: string;
  /** Where the certificate came from (a path), and whether Tidepool made it. */
  certPath: string;
  selfSigned: boolean;
}

export interface TlsOptions {
  certPath?: string;
  keyPath?: string;
  dataDir: string;
  /** Names and addresses the self-signed certificate must cover. */
  names: string[];
}

export async function loadTls(options: TlsOptions): Promise<TlsMaterial> {
  if (options.certPath || options.keyPath) {
    if (!options.certPath || !options.keyPath) {
      throw new TidepoolError({ code: 'INVALID_INPUT', message: 'Give both --tls-cert and --tls-key, or neither.' });
    }
    const cert = readPem(options.certPath, 'certificate');
    const key = readPem(options.keyPath, 'key');
    return { cert, key, fingerprint: new X509Certificate(cert).fingerprint256, certPath: options.certPath, selfSigned: false };
  }
  const folder = join(options.dataDir, 'server-tls');
  const certPath = join(folder, 'cert.pem');
  const keyPath = join(folder, 'key.pem');
  const names = [...new Set([...options.names, 'localhost', '127.0.0.1', '::1', hostname()])].sort();
  if (existsSync(certPath) && existsSync(keyPath)) {
    const cert = readFileSync(certPath, 'utf8');
    const x509 = new X509Certificate(cert);
    const covers = names.every((name) => (isIP(name) ? x509.checkIP(name) : x509.checkHost(name)) !== undefined);
    if (covers && Date.parse(x509.validTo) > Date.now() + 7 * 86_400_000) {
      return { cert, key: readFileSync(keyPath, 'utf8'), fingerprint: x509.fingerprint256, certPath, selfSigned: true };
    }
  }
  const notAfter = new Date();
  notAfter.setDate(notAfter.getDate() + 365);
  const pems = await generate([{ name: 'commonName', value: 'Tidepool (self-signed)' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((name) => (isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })) },
    ],
  });
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256, certPath, selfSigned: true };
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: `Cannot read the TLS ${what} at ${path}.`,
      detail: error instanceof Error ? error.message : String(error),
    });
  }
}
