/**
 * Remote Incus servers over HTTPS. Tidepool has its own client certificate (generated once, owner-only files
 * in the data dir) that a server trusts after the user pastes a trust token made there
 * (`incus config trust add tidepool`). The token carries the server certificate's fingerprint, so the server
 * is pinned from the very first connection; the fingerprint is stored with the remote in the settings.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import selfsigned from 'selfsigned';
import { TidepoolError } from '../../../src-shared/errors.js';
import type { IncusRemote, Settings } from '../../../src-shared/workspace.js';
import { DEFAULT_SOCKET_PATH, IncusClient, normaliseFingerprint, type IncusEndpoint } from './incus-client.js';

export interface ClientCertificate {
  cert: string;
  key: string;
}

export interface TrustToken {
  clientName: string;
  /** SHA-256 of the server certificate, hex. */
  fingerprint: string;
  /** host:port pairs the server listens on. */
  addresses: string[];
  secret: string;
  expiresAt: string | null;
}

interface ServerInfo {
  auth: 'trusted' | 'untrusted';
  environment?: { server_name?: string };
}

export function clientCertificatePaths(dataDir: string): { dir: string; cert: string; key: string } {
  const dir = join(dataDir, 'incus');
  return { dir, cert: join(dir, 'client.crt'), key: join(dir, 'client.key') };
}

/** Tidepool's client certificate, created on first use (ECDSA P-384, 10 years) with owner-only files. */
export async function loadOrCreateClientCertificate(dataDir: string): Promise<ClientCertificate> {
  const paths = clientCertificatePaths(dataDir);
  if (existsSync(paths.cert) && existsSync(paths.key)) {
    return { cert: readFileSync(paths.cert, 'utf8'), key: readFileSync(paths.key, 'utf8') };
  }
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  chmodSync(paths.dir, 0o700);
  const now = new Date();
  const generated = await selfsigned.generate([{ name: 'commonName', value: `tidepool@${hostname()}` }], {
    keyType: 'ec',
    curve: 'P-384',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  writeFileSync(paths.key, generated.private, { mode: 0o600 });
  writeFileSync(paths.cert, generated.cert, { mode: 0o600 });
  return { cert: generated.cert, key: generated.private };
}

/** Decodes the token `incus config trust add` prints (base64 of a JSON object). */
export function decodeTrustToken(token: string): TrustToken {
  const invalid = (detail: string): TidepoolError =>
    new TidepoolError({
      code: 'INVALID_INPUT',
      message: 'That is not an Incus trust token.',
      hint: 'On the server, run `incus config trust add tidepool` and paste the whole token it prints.',
      detail,
      fields: { token: 'Not an Incus trust token.' },
    });
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(Buffer.from(token.trim(), 'base64').toString('utf8')) as Record<string, unknown>;
  } catch {
    // The parser's own words would quote decoded binary: say what the text is not instead.
    throw invalid('the text is not base64-encoded JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid('the decoded token is not a JSON object');
  const fingerprint = typeof parsed.fingerprint === 'string' ? parsed.fingerprint : '';
  const secret = typeof parsed.secret === 'string' ? parsed.secret : '';
  const addresses = Array.isArray(parsed.addresses) ? parsed.addresses.filter((a): a is string => typeof a === 'string') : [];
  if (!/^[0-9a-f]{64}$/i.test(normaliseFingerprint(fingerprint)) || !secret) throw invalid('the token has no server fingerprint or secret');
  const expiresAt = typeof parsed.expires_at === 'string' && !parsed.expires_at.startsWith('0001-') ? parsed.expires_at : null;
  if (expiresAt && Date.parse(expiresAt) < Date.now()) {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: 'This trust token has expired.',
      hint: 'Create a new one on the server with `incus config trust add tidepool`.',
      fields: { token: 'Expired.' },
    });
  }
  return { clientName: typeof parsed.client_name === 'string' ? parsed.client_name : 'tidepool', fingerprint: normaliseFingerprint(fingerprint), addresses, secret, expiresAt };
}

/** The SHA-256 fingerprint of the certificate a TLS server presents (shown to the user, compared with the token). */
export function fetchServerFingerprint(url: string, timeoutMs = 10_000): Promise<string> {
  const target = new URL(url);
  return new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port: Number(target.port || 8443), rejectUnauthorized: false }, () => {
      const fingerprint = normaliseFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      socket.end();
      resolve(fingerprint);
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS answer from ${target.host} within ${timeoutMs / 1000} s`)));
    socket.once('error', (error) =>
      reject(new TidepoolError({ code: 'RUNTIME_UNAVAILABLE', message: `Tidepool could not reach the Incus server at ${url}.`, detail: error.message })),
    );
  });
}

/**
 * Makes the server trust Tidepool's certificate with the pasted token, pinning the server certificate the
 * token names. Returns the remote to store in settings.incus.remotes. Changes nothing when the token is
 * refused.
 */
export async function addRemote(options: { dataDir: string; name: string; token: string; url?: string; signal?: AbortSignal }): Promise<IncusRemote> {
  const token = decodeTrustToken(options.token);
  const address = options.url ?? (token.addresses[0] ? `https://${token.addresses[0]}` : null);
  if (!address) {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: 'The trust token does not say where the server is.',
      hint: 'Enter the server address as https://host:8443.',
      fields: { url: 'Needed for this token.' },
    });
  }
  const url = normaliseRemoteUrl(address);
  const certificate = await loadOrCreateClientCertificate(options.dataDir);
  const client = new IncusClient({ kind: 'https', url, clientCert: certificate.cert, clientKey: certificate.key, serverFingerprint: token.fingerprint });
  const signal = options.signal ? { signal: options.signal } : {};
  const before = (await client.query<ServerInfo>('GET', '/1.0', { ...signal, action: 'say who it is' })).metadata;
  if (before.auth !== 'trusted') {
    await client.query('POST', '/1.0/certificates', {
      body: { type: 'client', name: `tidepool-${hostname()}`, trust_token: options.token.trim() },
      action: 'accept the trust token',
      ...signal,
    });
    const after = (await client.query<ServerInfo>('GET', '/1.0', { ...signal, action: 'say who it is' })).metadata;
    if (after.auth !== 'trusted') {
      throw new TidepoolError({
        code: 'UNAUTHORIZED',
        message: `The Incus server at ${url} accepted the token but still does not trust Tidepool.`,
        hint: 'Create a new token with `incus config trust add tidepool` and try again.',
      });
    }
  }
  return { name: options.name, url, serverFingerprint: token.fingerprint };
}

/** The endpoint of a remote by name (null: the local socket); the active remote when no name is given. */
export async function endpointFromSettings(settings: Settings, dataDir: string, location?: string | null): Promise<IncusEndpoint> {
  const active = location === undefined ? settings.incus.activeRemote : location;
  if (active) {
    const remote = settings.incus.remotes.find((candidate) => candidate.name === active);
    if (!remote) {
      throw new TidepoolError({
        code: 'RUNTIME_NOT_SET_UP',
        message: `The Incus remote “${active}” is not configured in Tidepool.`,
        hint: `Add it again with a trust token (Settings → Incus servers, or \`tidepool remote add ${active} <token>\`), or switch back to this computer’s Incus.`,
      });
    }
    const certificate = await loadOrCreateClientCertificate(dataDir);
    return { kind: 'https', url: remote.url, clientCert: certificate.cert, clientKey: certificate.key, serverFingerprint: remote.serverFingerprint };
  }
  return { kind: 'unix', socketPath: settings.incus.socketPath ?? DEFAULT_SOCKET_PATH };
}

function normaliseRemoteUrl(address: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(address) ? address : `https://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TidepoolError({ code: 'INVALID_INPUT', message: `“${address}” is not a server address.`, fields: { url: 'Use https://host:8443.' } });
  }
  if (url.protocol !== 'https:') {
    throw new TidepoolError({ code: 'INVALID_INPUT', message: 'Incus remotes are reached over https only.', fields: { url: 'Use https://host:8443.' } });
  }
  // URL keeps IPv6 hosts in brackets, as a URL needs them.
  return `https://${url.hostname}:${url.port || '8443'}`;
}
