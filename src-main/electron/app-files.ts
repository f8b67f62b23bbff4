/**
 * Maps an `app://tidepool/…` request to a file of the built UI (out/renderer), refusing anything that
 * would leave that folder.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isAppUrl } from './security-policy.js';


/** The file to serve, or null when the URL is not the app's or points outside the UI folder. */
export function resolveAppFile(rendererDir: string, requestUrl: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  let path: string;
  try {
    path = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path}`);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return null;
  return file;
}
