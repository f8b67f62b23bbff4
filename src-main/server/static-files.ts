/** Serves the built renderer (out/renderer) to the browser; says how to build it when it is not there. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { contentTypeFor } from '../util/content-type.js';


export function rendererIsBuilt(rendererDir: string): boolean {
  return existsSync(join(rendererDir, 'index.html'));
}

/** The file under `root` that a URL path names, or null (outside root, missing, a folder). */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

export function serveStatic(
  rendererDir: string,
  request: IncomingMessage,
  response: ServerResponse,
  headers: OutgoingHttpHeaders,
): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (!rendererIsBuilt(rendererDir)) {
    response.writeHead(503, { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(
      '<!doctype html><meta charset="utf-8"><title>Tidepool</title><body style="font-family:system-ui;padding:2rem">' +
        '<h1>The web interface is not built yet</h1><p>Run <code>npm run build:renderer</code> in the Tidepool ' +
        'folder, then reload this page. (<code>npm start</code> does it for you.)</p></body>',
    );
    return;
  }
  let file = resolveStatic(rendererDir, path === '/' ? '/index.html' : path);
  // The app routes in the browser: unknown paths that are not files get the app itself.
  if (!file && !extname(path)) file = join(rendererDir, 'index.html');
  if (!file) {
    response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
    response.end('Not found.\n');
    return;
  }
  const isIndex = file.endsWith(`${sep}index.html`);
  response.writeHead(200, {
    ...headers,
    'content-type': contentTypeFor(file),
    'cache-control': isIndex ? 'no-store' : path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  createReadStream(file).pipe(response);
}
