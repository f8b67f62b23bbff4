/**
 * A new user's whole path through `tidepool serve` in Chromium: sign in with the printed link, see the
 * computer is ready, create a workspace through the dialog and watch it come up, use the IDE and a terminal,
 * stop and start it (files survive), delete it. Once on the simulated runtime (always) and once on Incus
 * with the real image (when this computer has them).
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import type { Workspace } from '../src-shared/workspace.js';
import { chromiumMissing, launchBrowser, Screenshots } from './harness/browser.js';
import { incusForceDelete, incusInstanceExists, incusMissing } from './harness/incus.js';
import type { Flow } from './harness/runner.js';
import { startServe, type Served } from './harness/serve.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function workspaceFlow(runtime: 'simulated' | 'incus'): Flow {
  const real = runtime === 'incus';
  const name = `e2e-${runtime === 'incus' ? 'incus' : 'sim'}-${randomBytes(2).toString('hex')}`;
  const shots = new Screenshots(runtime);
  // Both flows write to docs/screenshots; the real one wins when it runs (it runs second).
  const docs = (what: string) => `${what}`;
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const listed = async (): Promise<Workspace[]> => {
    const run = await served.cli(['ls', '--json']);
    check(run.code === 0, `tidepool ls failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as Workspace[];
  };
  /** The terminal's screen as lines without xterm's padding (non-breaking spaces, trailing blanks). */
  const terminalText = async (): Promise<string> =>
    (await page.locator('.xterm-rows').last().innerText())
      .replace(/\u00a0/g, ' ')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n');
  const typeInTerminal = async (line: string): Promise<void> => {
    await page.locator('.xterm-helper-textarea').last().focus();
    await page.keyboard.type(line, { delay: 5 });
    await page.keyboard.press('Enter');
  };
  const waitForTerminal = async (pattern: RegExp, timeoutMs = 30_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let text = '';
    while (Date.now() < deadline) {
      text = await terminalText();
      if (pattern.test(text)) return;
      await page.waitForTimeout(200);
    }
    throw new Error(`the terminal never showed ${pattern}; it shows:\n${text}`);
  };
  const sidebarRow = () => page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: new RegExp(`^${name}`) });
  const toolbar = () => page.getByRole('toolbar', { name: `Actions for ${name}` });
  const stateIs = async (state: string, timeoutMs = 120_000) => {
    await page.locator('.screen-title').getByText(state, { exact: true }).waitFor({ timeout: timeoutMs });
  };

  return {
    name: `Workspace from sign-in to delete (${real ? 'Incus, real image' : 'simulated runtime'})`,
    prerequisites: async () => chromiumMissing() ?? (real ? incusMissing() : null),
    setUp: async () => {
      served = await startServe({ runtime });
      browser = await launchBrowser();
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      page = await context.newPage();
    },
    steps: [
      {
        name: 'the server refuses requests without the token',
        run: async () => {
          const bare = await fetch(`${served.origin}/`);
          check(bare.status === 401, `GET / without the token answered ${bare.status}`);
          const forged = await fetch(`${served.origin}/?token=${'A'.repeat(43)}`, { redirect: 'manual' });
          check(forged.status === 401, `a forged token answered ${forged.status}`);
          const api = await fetch(`${served.origin}/api`, { headers: { authorization: 'Bearer nope' } });
          check(api.status === 401, `the API without the token answered ${api.status}`);
          await page.goto(`${served.origin}/`);
          await page.getByText('Open Tidepool with the link').waitFor();
          await shots.take(page, 'refused-without-token');
        },
      },
      {
        name: 'a new user opens the printed link and the onboarding shows the computer is ready',
        run: async () => {
          await page.goto(served.loginUrl);
          check(!page.url().includes('token='), `the token stayed in the address bar: ${page.url()}`);
          await page.getByRole('heading', { name: 'Welcome to Tidepool' }).waitFor();
          if (real) {
            // Other Tidepool instances on this host's Incus are orphans to this fresh data folder: not this user's.
            const orphans = page.getByRole('region', { name: /has no workspace for/ });
            if (await orphans.waitFor({ timeout: 3000 }).then(() => true, () => false)) await orphans.getByRole('button', { name: 'Not now' }).click();
          }
          await shots.take(page, 'welcome', real ? docs('welcome') : undefined);
          await page.getByRole('button', { name: /Set-up/ }).click();
          await page.getByText('Everything it needs is in place.').waitFor();
          await shots.take(page, 'setup-ready', real ? docs('setup-ready') : undefined);
          await page.getByRole('button', { name: 'Overview' }).click();
        },
      },
      {
        name: 'a bad name shows the validation message and creates nothing',
        run: async () => {
          await page.getByRole('button', { name: 'Create your first workspace' }).click();
          const dialog = page.getByRole('dialog');
          await dialog.getByLabel('Name').fill('Bad_Name');
          await dialog.getByText('Use 1–63 lower-case letters').waitFor();
          check(await dialog.getByRole('button', { name: 'Create' }).isDisabled(), 'Create stayed enabled for a bad name');
          await dialog.getByLabel('Name').press('Enter');
          await shots.take(page, 'bad-name', real ? docs('create-bad-name') : undefined);
          check((await listed()).length === 0, 'a workspace was created from a bad name');
        },
      },
      {
        name: 'creates a workspace through the dialog and watches its progress',
        run: async () => {
          const dialog = page.getByRole('dialog');
          await dialog.getByLabel('Name').fill(name);
          await dialog.getByRole('button', { name: 'Create' }).click();
          await dialog.locator('.step-label', { hasText: 'Cloning image' }).waitFor({ timeout: 30_000 });
          await shots.take(page, 'create-progress', real ? docs('create-progress') : undefined);
          // When it is ready the dialog closes and the IDE tab opens.
          await dialog.waitFor({ state: 'detached', timeout: 300_000 });
          const [workspace] = await listed();
          check(workspace?.name === name && workspace.state === 'ready', `after create: ${JSON.stringify(workspace)}`);
        },
      },
      {
        name: real ? 'the IDE tab shows the VS Code workbench' : 'the IDE tab shows the simulated IDE page',
        run: async () => {
          const iframe = page.locator('iframe').first();
          await iframe.waitFor({ timeout: 60_000 });
          const src = (await iframe.getAttribute('src')) ?? '';
          check(!src.startsWith(served.origin), `the IDE is served from the app's own origin: ${src}`);
          const frame = (await (await iframe.elementHandle())!.contentFrame()) as Frame;
          if (real) await frame.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
          else await frame.getByRole('heading', { name }).waitFor({ timeout: 30_000 });
          await page.waitForTimeout(real ? 3000 : 300);
          await shots.take(page, 'ide', real ? docs('ide') : undefined);
        },
      },
      {
        name: 'opens a terminal and runs a command',
        run: async () => {
          await sidebarRow().click();
          await toolbar().getByRole('button', { name: 'Terminal', exact: true }).click();
          await page.locator('.xterm-rows').last().waitFor({ timeout: 30_000 });
          // (The simulated shell's first prompt is sent before the terminal has its id, so it never shows.)
          if (real) await waitForTerminal(/\$$/m);
          await typeInTerminal('echo tidepool-$((6*7))');
          await waitForTerminal(real ? /^tidepool-42$/m : /tidepool-\$\(\(6\*7\)\)/m);
          await shots.take(page, 'terminal', real ? docs('terminal') : undefined);
        },
      },
      ...(real
        ? [
            {
              name: 'a file written in the terminal survives stop and start',
              run: async () => {
                await typeInTerminal('echo kept-across-restarts > ~/e2e-proof.txt && sync && echo written');
                await waitForTerminal(/^written$/m);
                await sidebarRow().click();
                await toolbar().getByRole('button', { name: 'Stop', exact: true }).click();
                await stateIs('Stopped', 180_000);
                await shots.take(page, 'stopped', docs('stopped'));
                await toolbar().getByRole('button', { name: 'Start', exact: true }).click();
                await stateIs('Running', 300_000);
                await toolbar().getByRole('button', { name: 'Terminal', exact: true }).click();
                await page.waitForTimeout(500);
                await waitForTerminal(/\$$/m);
                await typeInTerminal('cat ~/e2e-proof.txt');
                await waitForTerminal(/^kept-across-restarts$/m);
                await shots.take(page, 'file-survived', docs('file-survived-restart'));
              },
            },
          ]
        : [
            {
              name: 'stops and starts',
              run: async () => {
                await sidebarRow().click();
                await toolbar().getByRole('button', { name: 'Stop', exact: true }).click();
                await stateIs('Stopped', 60_000);
                await shots.take(page, 'stopped');
                await toolbar().getByRole('button', { name: 'Start', exact: true }).click();
                await stateIs('Running', 60_000);
              },
            },
          ]),
      {
        name: real ? 'deletes it and it is gone from Incus' : 'deletes it and it is gone',
        run: async () => {
          await sidebarRow().click();
          await toolbar().getByRole('button', { name: 'Delete…' }).click();
          const dialog = page.getByRole('alertdialog');
          await shots.take(page, 'delete-confirm', real ? docs('delete-confirm') : undefined);
          await dialog.getByRole('button', { name: `Delete ${name}` }).click();
          await sidebarRow().waitFor({ state: 'detached', timeout: 180_000 });
          check((await listed()).length === 0, 'the workspace is still listed');
          if (real) check(!incusInstanceExists(`tp-${name}`), `Incus still has tp-${name}`);
          await shots.take(page, 'deleted');
        },
      },
    ],
    onFailure: async () => {
      if (page) console.log(`      screenshot: ${await shots.take(page, 'FAILED')}`);
      if (served) console.log(`      server log (last lines):\n${served.output().split('\n').slice(-15).map((l) => `        ${l}`).join('\n')}`);
    },
    tearDown: async () => {
      await browser?.close().catch(() => undefined);
      if (served) {
        if ((await listed().catch(() => [])).length > 0) await served.cli(['rm', '--force', name]).catch(() => undefined);
        await served.stop();
      }
      if (real) incusForceDelete(`tp-${name}`);
    },
  };
}

const chosen = (process.env.TIDEPOOL_E2E_RUNTIMES ?? 'simulated,incus').split(',');
export const flows: Flow[] = (['simulated', 'incus'] as const).filter((runtime) => chosen.includes(runtime)).map(workspaceFlow);
