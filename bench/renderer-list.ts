/**
 * How long the web interface takes to show a long workspace list: a cold load of the app in Chromium, from
 * navigation start until the last sidebar row is in the document (a MutationObserver notes the moment).
 */
import type { Browser } from 'playwright-core';
import { withFreshContext } from './browser.js';
import type { UiServer } from './ui-server-process.js';

export const SIDEBAR_ROW = '.sidebar .workspace-list > li';

export async function timeToRows(browser: Browser, server: UiServer, rows: number): Promise<number> {
  return withFreshContext(browser, async (context) => {
    const url = new URL(server.origin);
    await context.addCookies([{ name: server.cookie.name, value: server.cookie.value, domain: url.hostname, path: '/' }]);
    // Page-side code as text (it runs before the app's CSP applies): this file is type-checked without the DOM's types.
    await context.addInitScript({
      content: `(() => {
        const observer = new MutationObserver(() => {
          if (document.querySelectorAll(${JSON.stringify(SIDEBAR_ROW)}).length >= ${rows}) {
            window.__rowsAt = performance.now();
            observer.disconnect();
          }
        });
        observer.observe(document, { childList: true, subtree: true });
      })();`,
    });
    const page = await context.newPage();
    await page.goto(`${server.origin}/`, { waitUntil: 'commit' });
    const marked = (): number | undefined => (globalThis as { __rowsAt?: number }).__rowsAt;
    await page.waitForFunction(marked, undefined, { timeout: 60_000 });
    return (await page.evaluate(marked))!;
  });
}
