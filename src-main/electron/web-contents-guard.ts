/**
 * Applies the security policy to Electron objects: navigation, new windows and <webview> for a page;
 * permission and device requests for a session. The decisions themselves live in security-policy.ts.
 */
import { app, shell, type Event, type Session, type WebContents } from 'electron';
import { navigationDecision, permissionDecision, windowOpenDecision, type NavigationDecision, type PermissionScope } from './security-policy.js';

function apply(event: Event, decision: NavigationDecision): void {
  if (decision.action === 'allow') return;
  event.preventDefault();
  if (decision.openExternally) void shell.openExternal(decision.openExternally);
}

/** `scope` is read at each decision: an IDE's origin changes when its tunnel is re-opened on a new port. */
export function guardWebContents(contents: WebContents, scope: () => PermissionScope): void {
  contents.on('will-navigate', (event) => apply(event, navigationDecision(event.url, scope())));
  contents.on('will-redirect', (event) => {
    if (event.isMainFrame) apply(event, navigationDecision(event.url, scope()));
  });
  // The UI has no frames of its own. An IDE's frames (extension webviews) stay the IDE's business: the
  // sandbox and its session's permissions still hold for them.
  contents.on('will-frame-navigate', (event) => {
    const current = scope();
    if (current.kind === 'app' && !event.isMainFrame) apply(event, navigationDecision(event.url, current));
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url);
    if (decision.openExternally) void shell.openExternal(decision.openExternally);
    return { action: 'deny' };
  });
}

export function guardSession(session: Session, scope: () => PermissionScope): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(permissionDecision(scope(), permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionDecision(scope(), permission, requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}

/** A safety net under every web contents ever created: no <webview>, no window opens Electron-side. */
export function denyByDefaultEverywhere(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
