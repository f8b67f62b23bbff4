/** Debian's Chromium driven by playwright-core, with a screenshot helper that files pictures per flow. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(ROOT, 'e2e', 'artifacts');
export const DOCS_SCREENSHOTS = join(ROOT, 'docs', 'screenshots');
export const CHROMIUM = process.env.TIDEPOOL_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM)
    ? null
    : `no Chromium at ${CHROMIUM}: install it with \`apt-get -o DPkg::Lock::Timeout=600 install -y chromium\` (or set TIDEPOOL_CHROMIUM).`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

export class Screenshots {
  private count = 0;
  readonly folder: string;

  constructor(flow: string) {
    this.folder = join(ARTIFACTS, flow);
    mkdirSync(this.folder, { recursive: true });
  }

  /**
   * Saves `NN-name.png`; with `docsName`, also copies it to docs/screenshots/ (committed) when the run was
   * asked to refresh them (TIDEPOOL_E2E_DOCS=1), so ordinary runs leave the working tree alone.
   */
  async take(page: Page, name: string, docsName?: string): Promise<string> {
    this.count += 1;
    const file = join(this.folder, `${String(this.count).padStart(2, '0')}-${name}.png`);
    // No hover effect left from the last click (number spinners, tooltips) in the picture.
    const size = page.viewportSize();
    if (size) await page.mouse.move(size.width - 1, size.height - 1);
    // Dialogs fade and rise in: a picture taken mid-animation shows the page through them.
    await page.screenshot({ path: file, animations: 'disabled' });
    if (docsName && process.env.TIDEPOOL_E2E_DOCS === '1') {
      mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
      saveForDocs(file, join(DOCS_SCREENSHOTS, `${docsName}.png`));
    }
    return file;
  }
}

/**
 * The committed copy goes through pngquant when it is installed (`apt-get install pngquant`): a third of the
 * size and no visible difference on flat UI colours. Without it, or when it cannot keep the quality, as is.
 */
function saveForDocs(file: string, target: string): void {
  const quantised = spawnSync('pngquant', ['--quality', '80-98', '--speed', '1', '--strip', '--force', '--output', target, file]);
  if (quantised.error || quantised.status !== 0) copyFileSync(file, target);
}
