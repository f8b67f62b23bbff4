/**
 * Every security decision of the desktop shell, as plain data and pure functions, so that a unit test can
 * check them without Electron (issue 11: an automated check of the window and view settings). The
 * Electron files only apply what is decided here. Deny by default everywhere: Electron itself grants
 * every permission and allows every navigation unless told otherwise.
 */
import type { WebPreferences } from 'electron';

/** The app's UI is served from this custom origin rather than file:// (Electron security checklist 18). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'tidepool';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/**
 * Sent as a header with every file of the app's UI. style-src allows inline styles only because xterm.js
 * adds <style> elements for its renderer; scripts come from the app's own files and nothing else. The UI
 * talks to main over IPC, so it connects nowhere and embeds nothing (the IDE is a native view).
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'none'",
  "worker-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Settings every web page of the app gets, the UI and the IDE views alike. */
const LOCKED_DOWN = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInSubFrames: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
} as const satisfies WebPreferences;

export function appWindowPreferences(preloadPath: string): WebPreferences {
  return { ...LOCKED_DOWN, preload: preloadPath, spellcheck: true };
}

/**
 * An IDE view runs code-server from inside a workspace: untrusted content. It gets no preload at all (so
 * none of Tidepool's API) and a session of its own, so its cookies, storage and service workers stay apart
 * from other workspaces'.
 */
export function ideViewPreferences(workspaceId: string): WebPreferences {
  return { ...LOCKED_DOWN, partition: idePartition(workspaceId), spellcheck: false };
}

export function idePartition(workspaceId: string): string {
  return `persist:ws-${workspaceId}`;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for pages of the app's own UI. WHATWG URL gives custom schemes an opaque origin, so compare parts. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/** The origin an IDE view may stay on: its workspace's tunnel on loopback, and nothing else. */
export function ideOrigin(ideUrl: string): string | null {
  const parsed = parse(ideUrl);
  if (!parsed || parsed.protocol !== 'http:' || parsed.hostname !== '127.0.0.1' || parsed.port === '') return null;
  return parsed.origin;
}

/** A link worth handing to the user's browser: http(s) only (never file:, javascript:, custom schemes). */
export function externalUrl(url: string): string | null {
  const parsed = parse(url);
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}

export type NavigationDecision = { action: 'allow' } | { action: 'block'; openExternally: string | null };

/**
 * The app window stays on the app's origin. An IDE view stays on its workspace's origin; a link elsewhere
 * opens in the user's browser instead.
 */
export function navigationDecision(target: string, allowed: { kind: 'app' } | { kind: 'ide'; origin: string }): NavigationDecision {
  if (allowed.kind === 'app') {
    return isAppUrl(target) ? { action: 'allow' } : { action: 'block', openExternally: null };
  }
  const parsed = parse(target);
  if (parsed && parsed.origin === allowed.origin && parsed.username === '' && parsed.password === '') return { action: 'allow' };
  return { action: 'block', openExternally: externalUrl(target) };
}

/** `window.open` and target=_blank never create windows: http(s) goes to the user's browser. */
export function windowOpenDecision(target: string): { action: 'deny'; openExternally: string | null } {
  return { action: 'deny', openExternally: externalUrl(target) };
}

/**
 * What code-server needs from the browser: reading and writing the clipboard (copy/paste in the editor).
 * The app's own UI needs only to write to it (its Copy buttons).
 */
export const IDE_PERMISSIONS: readonly string[] = ['clipboard-read', 'clipboard-sanitized-write'];
export const APP_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

export type PermissionScope = { kind: 'app' } | { kind: 'ide'; origin: string };

/** Grants a permission only to the page it is meant for, asked by a page on the expected origin. */
export function permissionDecision(scope: PermissionScope, permission: string, requestingUrl: string): boolean {
  if (scope.kind === 'app') return APP_PERMISSIONS.includes(permission) && isAppUrl(requestingUrl);
  const parsed = parse(requestingUrl);
  return IDE_PERMISSIONS.includes(permission) && parsed !== null && parsed.origin === scope.origin;
}
