/**
 * Headless Debian Chromium (playwright-core) for the browser-side figures: loading the VS Code workbench
 * and timing the renderer. One browser per bench run; each workspace gets a fresh context (empty cache and storage), kept while that workspace is measured.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.TIDEPOOL_CHROMIUM ?? '/usr/bin/chromium';
/** The element VS Code's workbench renders once it has loaded. */
export const WORKBENCH_SELECTOR = '.monaco-workbench';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (install Debian's chromium or set TIDEPOOL_CHROMIUM)`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export async function withFreshContext<T>(browser: Browser, use: (context: BrowserContext) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    return await use(context);
  } finally {
    await context.close();
  }
}

/**
 * Opens `url` in a new page of `context` and resolves with the milliseconds until the workbench element is
 * in the page; the page is closed again (the context keeps its HTTP cache, as the app's session does).
 */
export async function loadWorkbench(context: BrowserContext, url: string, timeoutMs = 120_000): Promise<number> {
  const page = await context.newPage();
  try {
    const started = performance.now();
    await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
    await page.locator(WORKBENCH_SELECTOR).first().waitFor({ state: 'attached', timeout: timeoutMs });
    return performance.now() - started;
  } finally {
    await page.close();
  }
}
