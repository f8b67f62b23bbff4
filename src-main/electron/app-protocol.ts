/**
 * Serves the built UI as app://tidepool/ (Electron security checklist 18: not file://, so the page has a
 * real origin that IPC sender checks can rely on), every file with the strict content security policy.
 */
import { pathToFileURL } from 'node:url';
import { net, protocol } from 'electron';
import { contentTypeFor } from '../util/content-type.js';
import { resolveAppFile } from './app-files.js';
import { APP_CONTENT_SECURITY_POLICY, APP_SCHEME } from './security-policy.js';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // standard: a real origin for sender checks and relative URLs; secure: a secure context (clipboard API);
    // corsEnabled: Vite's module scripts are fetched in CORS mode, even from their own origin.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': APP_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

export function serveAppFiles(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers: SECURITY_HEADERS });
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return notFound();
    let response: Response;
    try {
      response = await net.fetch(pathToFileURL(file).toString());
    } catch {
      return notFound();
    }
    if (!response.ok) return notFound();
    return new Response(request.method === 'HEAD' ? null : response.body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': contentTypeFor(file), 'Cache-Control': 'no-cache' },
    });
  });
}
