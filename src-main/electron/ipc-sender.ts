/**
 * Which IPC messages main accepts: only from the app window's own top-level page on the app origin
 * (VS Code's validatedIpcMain; Electron security checklist 17). An iframe, a page that navigated elsewhere,
 * an IDE view or any other web contents is refused, whatever it sends.
 */
import { isAppUrl } from './security-policy.js';

/** What Electron tells us about a message's sender, as plain data. */
export interface SenderFacts {
  /** `event.senderFrame.url`; null when the frame is gone (navigated or destroyed meanwhile). */
  frameUrl: string | null | undefined;
  /** `senderFrame.parent === null`. */
  isMainFrame: boolean;
  /** Id of the web contents that sent it (`event.sender.id`). */
  webContentsId: number;
}

/** `appWebContentsId` is null while there is no app window. */
export function isTrustedSender(sender: SenderFacts, appWebContentsId: number | null): boolean {
  if (appWebContentsId === null || sender.webContentsId !== appWebContentsId) return false;
  if (!sender.isMainFrame) return false;
  return typeof sender.frameUrl === 'string' && isAppUrl(sender.frameUrl);
}
