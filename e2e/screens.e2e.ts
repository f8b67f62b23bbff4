/**
 * Every screen the workspace flow does not reach, checked for what it tells the user and pictured for the
 * README (docs/screenshots/, refreshed with TIDEPOOL_E2E_DOCS=1): onboarding with no runtime, the orphan
 * banner, the create dialog with an allow-list, a workspace's details and its allow-list editor, the Logs
 * tab, Settings, a failed create with the runtime's own words, and dark versions. On the simulated runtime
 * (always), plus the screens only a real workspace has (SSH access, the VS Code workbench) on Incus.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import type { Settings, Workspace } from '../src-shared/workspace.js';
import { SimulatedRuntime } from '../src-main/runtimes/simulated/simulated-runtime.js';
import { chromiumMissing, launchBrowser, Screenshots } from './harness/browser.js';
import { incusForceDelete, incusMissing } from './harness/incus.js';
import type { Flow, Step } from './harness/runner.js';
import { startServe, type Served, type ServeOptions } from './harness/serve.js';

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Settings stored before serve starts: Incus looked for where it is not, so this host's Incus stays out of the pictures. */
function withoutLocalIncus(dataDir: string): void {
  const incus: Settings['incus'] = { socketPath: join(dataDir, 'no-incus-here.socket'), remotes: [], activeRemote: null };
  writeFileSync(join(dataDir, 'tidepool.json'), JSON.stringify({ settings: { incus } }), { mode: 0o600 });
}

/** The simulated runtime's instances file in the data folder (src-main/cli/backend.ts simulatedStateFile). */
function plantOrphan(dataDir: string, workspaceName: string): void {
  new SimulatedRuntime({ stateFile: join(dataDir, 'simulated-instances.json') }).plant({
    instanceName: `tp-${workspaceName}`,
    workspaceId: randomUUID(),
    workspaceName,
    kind: 'container',
    image: 'tidepool/simulated',
    resources: { cpus: 2, memoryMiB: 4096, diskGiB: 20 },
    network: { mode: 'isolated' },
    sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2eE2e e2e',
  });
}

/** A served Tidepool with one signed-in Chromium page at 1400×900, light unless a step asks for dark. */
class Session {
  served!: Served;
  browser!: Browser;
  page!: Page;
  readonly shots: Screenshots;

  constructor(flow: string) {
    this.shots = new Screenshots(flow);
  }

  async open(options: ServeOptions): Promise<void> {
    this.served = await startServe(options);
    this.browser = await launchBrowser();
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 900 }, colorScheme: 'light' });
    this.page = await context.newPage();
    await this.page.goto(this.served.loginUrl);
  }

  /** The screen as it is, and with `dark` the same screen in the dark appearance; `docs` also files both for the README. */
  async picture(name: string, options: { docs?: boolean; dark?: boolean } = {}): Promise<void> {
    await this.settle();
    await this.shots.take(this.page, name, options.docs ? name : undefined);
    if (!options.dark) return;
    await this.page.emulateMedia({ colorScheme: 'dark' });
    await this.settle();
    await this.shots.take(this.page, `${name}-dark`, options.docs ? `${name}-dark` : undefined);
    await this.page.emulateMedia({ colorScheme: 'light' });
  }

  /** Transitions done (the theme's colours, a banner going away). */
  private async settle(): Promise<void> {
    await this.page.waitForTimeout(250);
  }

  async listed(): Promise<Workspace[]> {
    const run = await this.served.cli(['ls', '--json']);
    check(run.code === 0, `tidepool ls failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as Workspace[];
  }

  sidebarRow(name: string) {
    return this.page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: new RegExp(`^${name},`) });
  }

  toolbar(name: string) {
    return this.page.getByRole('toolbar', { name: `Actions for ${name}` });
  }

  async onFailure(): Promise<void> {
    if (this.page) console.log(`      screenshot: ${await this.shots.take(this.page, 'FAILED')}`);
    if (this.served) console.log(`      server log (last lines):\n${this.served.output().split('\n').slice(-15).map((l) => `        ${l}`).join('\n')}`);
  }

  async close(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.served?.stop();
  }
}

function flow(name: string, session: Session, options: ServeOptions, steps: Step[], prerequisites = async () => chromiumMissing()): Flow {
  return {
    name,
    prerequisites,
    setUp: () => session.open(options),
    steps,
    onFailure: () => session.onFailure(),
    tearDown: () => session.close(),
  };
}

/** A Linux computer without Incus: onboarding names the one command that sets it up. */
function noRuntimeFlow(): Flow {
  const s = new Session('screens-no-runtime');
  return flow('Screens: onboarding with no runtime set up', s, { runtime: 'auto', prepare: withoutLocalIncus }, [
    {
      name: 'onboarding shows the Incus set-up command and how to check again',
      run: async () => {
        const { page } = s;
        await page.getByRole('heading', { name: 'Set up Tidepool' }).waitFor();
        await page.getByText('A few things need to be in place first.').waitFor();
        const incus = page.getByRole('region', { name: 'Incus' });
        await incus.getByText('Not installed').waitFor();
        const command = (await incus.locator('.command-block code').innerText()).trim();
        check(command === 'sudo scripts/setup-incus.sh', `the Incus card shows “${command}”`);
        await incus.getByRole('button', { name: /Copy/ }).waitFor();
        await page.getByRole('button', { name: 'Check again' }).waitFor();
        const note = await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: /Set-up/ }).innerText();
        check(note.includes('Set-up needed'), `the sidebar says “${note}”`);
        await s.picture('setup-no-runtime', { docs: true, dark: true });
      },
    },
    {
      name: 'the create dialog says no runtime is set up and links to set-up',
      run: async () => {
        const { page } = s;
        await page.getByRole('button', { name: 'New workspace' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByText('No runtime is set up on this computer yet.').waitFor();
        await dialog.getByLabel('Name').fill('first');
        check(await dialog.getByRole('button', { name: 'Create' }).isDisabled(), 'Create is enabled with no runtime');
        await dialog.getByRole('group', { name: 'Network' }).getByText('Pick a runtime first.').waitFor();
        await s.picture('create-no-runtime');
        await dialog.getByRole('button', { name: 'Open set-up' }).click();
        await dialog.waitFor({ state: 'detached' });
        await page.getByRole('heading', { name: 'Set-up', exact: true }).waitFor();
      },
    },
  ]);
}

/** The simulated runtime with an instance left from an earlier install: everything a user clicks through. */
function simulatedFlow(): Flow {
  const s = new Session('screens-simulated');
  const name = 'web-api';
  const orphan = 'old-project';
  const prepare = (dataDir: string) => {
    withoutLocalIncus(dataDir);
    plantOrphan(dataDir, orphan);
  };
  const workspace = async (): Promise<Workspace> => {
    const found = (await s.listed()).find((candidate) => candidate.name === name);
    check(found, `${name} is not listed`);
    return found;
  };
  const detail = (term: string) => s.page.locator('dl.details dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');

  return flow('Screens: simulated runtime (orphan, create, details, network, logs, settings, overview)', s, { runtime: 'simulated', prepare }, [
    {
      name: 'the orphan banner names the instance no workspace knows, and adopting it makes a workspace',
      run: async () => {
        const banner = s.page.getByRole('region', { name: 'Tidepool found an instance it has no workspace for' });
        await banner.waitFor();
        const item = banner.getByRole('listitem');
        check((await item.count()) === 1, `the banner lists ${await item.count()} instances`);
        const text = await item.innerText();
        check(text.includes(orphan) && text.includes(`tp-${orphan} on Simulated, stopped`), `the banner says “${text}”`);
        await item.getByRole('button', { name: 'Adopt' }).waitFor();
        await item.getByRole('button', { name: 'Remove…' }).waitFor();
        await s.page.getByRole('heading', { name: 'Welcome to Tidepool' }).waitFor();
        await s.picture('orphan-banner', { docs: true });

        await item.getByRole('button', { name: 'Adopt' }).click();
        await s.page.getByRole('heading', { name: orphan }).waitFor();
        await banner.waitFor({ state: 'detached' });
        const [adopted, ...others] = await s.listed();
        check(adopted?.name === orphan && others.length === 0, `after adopting: ${JSON.stringify([adopted, ...others])}`);
        check(adopted.instanceName === `tp-${orphan}` && adopted.state === 'stopped', `adopted as ${JSON.stringify(adopted)}`);
      },
    },
    {
      name: 'the create dialog takes resources, a repository and an allow-list',
      run: async () => {
        const { page } = s;
        await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: 'New workspace' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name').fill(name);
        await dialog.getByLabel('Git repository (optional)').fill('https://github.com/example/web-api.git');
        await dialog.getByLabel('CPUs').fill('4');
        await dialog.getByLabel('Memory (GB)').fill('8');
        await dialog.getByLabel('Isolated, plus networks I allow').check();
        const allow = dialog.getByLabel('Allowed networks');
        await allow.fill('192.168.1.0/24\n10.8.0.0/16');
        await dialog.getByLabel('Forward my SSH agent').check();
        check(!(await dialog.getByRole('button', { name: 'Create' }).isDisabled()), 'Create stayed disabled for a valid form');
        check((await dialog.locator('.field-error').count()) === 0, `the form shows errors: ${await dialog.locator('.field-error').allInnerTexts()}`);
        // The dialog scrolls: show the network part, where the allow-list is.
        await dialog.getByRole('group', { name: 'Network' }).evaluate((element) => (element as unknown as { scrollIntoView(options: object): void }).scrollIntoView({ block: 'center' }));
        await s.picture('create-allow-list', { docs: true });

        await dialog.getByRole('button', { name: 'Create' }).click();
        await dialog.waitFor({ state: 'detached', timeout: 60_000 });
        const created = await workspace();
        check(created.state === 'ready', `after create: ${created.state}`);
        check(
          JSON.stringify(created.network) === JSON.stringify({ mode: 'allow-list', allow: ['192.168.1.0/24', '10.8.0.0/16'] }),
          `created with network ${JSON.stringify(created.network)}`,
        );
        check(created.resources.cpus === 4 && created.resources.memoryMiB === 8192, `created with ${JSON.stringify(created.resources)}`);
        check(created.sshAgentForwarding, 'SSH agent forwarding was not kept');
      },
    },
    {
      name: 'the details show resources, the network policy, repository and agent forwarding',
      run: async () => {
        await s.sidebarRow(name).click();
        await s.page.locator('.screen-title').getByText('Running', { exact: true }).waitFor();
        const expected: [string, string][] = [
          ['Runtime', 'Simulated (for development) · Container'],
          ['Resources', '4 CPUs · 8 GB RAM · 20 GB disk'],
          ['Network', 'Isolated, plus 192.168.1.0/24, 10.8.0.0/16'],
          ['Repository', 'https://github.com/example/web-api.git'],
          ['SSH agent', 'Forwarded from this computer'],
        ];
        for (const [term, value] of expected) {
          const shown = (await detail(term).innerText()).replace(/\s*Edit$/, '').trim();
          check(shown === value, `${term} shows “${shown}”, expected “${value}”`);
        }
        await s.picture('workspace-details-simulated', { dark: true });
      },
    },
    {
      name: 'the allow-list editor validates and saves a new policy',
      run: async () => {
        const { page } = s;
        await detail('Network').getByRole('button', { name: 'Edit' }).click();
        const editor = page.getByLabel('Allowed networks');
        await editor.fill('192.168.1.0/24\n10.8.0.0/16\n192.168.1.300/24');
        await page.locator('.network-editor .field-error').waitFor();
        check(await page.locator('.network-editor').getByRole('button', { name: 'Save' }).isDisabled(), 'Save is enabled for a bad CIDR');
        await editor.fill('192.168.1.0/24\n10.8.0.0/16\n172.16.5.10/32');
        check((await page.locator('.network-editor .field-error').count()) === 0, 'a good list still shows an error');
        await s.picture('network-editor', { docs: true });
        await page.locator('.network-editor').getByRole('button', { name: 'Save' }).click();
        await page.locator('.network-editor').waitFor({ state: 'detached' });
        const shown = (await detail('Network').innerText()).replace(/\s*Edit$/, '').trim();
        check(shown === 'Isolated, plus 192.168.1.0/24, 10.8.0.0/16, 172.16.5.10/32', `Network shows “${shown}”`);
        const saved = (await workspace()).network;
        check(saved.mode === 'allow-list' && saved.allow.includes('172.16.5.10/32'), `saved network ${JSON.stringify(saved)}`);
      },
    },
    {
      name: 'the Logs tab shows the history and streams new lines as they happen',
      run: async () => {
        const { page } = s;
        await s.toolbar(name).getByRole('button', { name: 'Logs', exact: true }).click();
        const log = page.getByRole('log', { name: `Log of ${name}` });
        await log.getByText(`simulated: cloned tidepool/simulated to tp-${name}`).waitFor();
        const before = await log.locator('.log-line').count();
        // A stop and a start from the command line: their lines arrive without reloading the tab.
        const stop = await s.served.cli(['stop', name]);
        check(stop.code === 0, `tidepool stop failed: ${stop.stderr}`);
        const start = await s.served.cli(['start', name]);
        check(start.code === 0, `tidepool start failed: ${start.stderr}`);
        const deadline = Date.now() + 10_000;
        while ((await log.locator('.log-line').count()) <= before) {
          check(Date.now() < deadline, 'no new log lines arrived while the Logs tab was open');
          await page.waitForTimeout(100);
        }
        const text = await log.innerText();
        check(/stop/i.test(text) && /start/i.test(text), `the log never showed the stop and start:\n${text}`);
        await page.getByText(`${await log.locator('.log-line').count()} lines`).waitFor();
        await s.picture('logs', { docs: true });
      },
    },
    {
      name: 'Settings shows the defaults and the theme choice',
      run: async () => {
        const { page } = s;
        await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: 'Settings' }).click();
        await page.getByRole('heading', { name: 'Settings' }).waitFor();
        check((await page.getByLabel('CPUs').inputValue()) === '2', 'the default CPUs are not 2');
        check(await page.getByLabel('Match the system').isChecked(), 'the theme does not follow the system');
        check(await page.getByLabel('Ask each time').isChecked(), 'quitting does not ask');
        await s.picture('settings', { docs: true, dark: true });
      },
    },
    {
      name: 'Settings lists the Incus servers and adds one with a trust token made on it',
      run: async () => {
        const { page } = s;
        const servers = page.getByRole('region', { name: 'Incus servers' });
        await servers.scrollIntoViewIfNeeded();
        check(await servers.getByRole('radio', { name: 'This computer' }).isChecked(), 'new workspaces are not created on this computer');
        await servers.getByRole('button', { name: 'Add server…' }).click();
        const form = servers.getByRole('form', { name: 'Add an Incus server' });
        const command = (await form.locator('.command-block code').innerText()).trim();
        check(command === 'incus config trust add tidepool', `the form shows “${command}”`);
        // What `incus config trust add` prints; this one names no address, so no connection is ever tried.
        const token = Buffer.from(
          JSON.stringify({ client_name: 'tidepool', fingerprint: 'a3'.repeat(32), addresses: [], secret: randomBytes(32).toString('hex'), expires_at: '0001-01-01T00:00:00Z' }),
        ).toString('base64');
        await form.getByLabel('Name').fill('team-server');
        await form.getByLabel('Trust token').fill(token);
        check(await form.getByLabel('Create new workspaces there').isChecked(), '“Create new workspaces there” is not on by default');
        await form.evaluate((element) => (element as unknown as { scrollIntoView(options: object): void }).scrollIntoView({ block: 'center' }));
        await s.picture('settings-incus-servers', { docs: true });

        await form.getByRole('button', { name: 'Add server' }).click();
        await form.getByText('Needed for this token.').waitFor();
        check(await form.getByLabel('Server address (optional)').isVisible(), 'the address field stayed folded away with its error');
        check((await form.getByLabel('Trust token').inputValue()) === token, 'the token was lost when the server was not added');
        const stored = JSON.parse(readFileSync(join(s.served.dataDir, 'tidepool.json'), 'utf8')) as { settings?: Partial<Settings> };
        check(stored.settings?.incus?.remotes.length === 0, `the stored servers changed: ${JSON.stringify(stored.settings?.incus)}`);
        await form.getByRole('button', { name: 'Cancel' }).click();
      },
    },
    {
      name: 'the overview lists both workspaces with their state',
      run: async () => {
        const { page } = s;
        await page.getByRole('navigation', { name: 'Workspaces' }).getByRole('button', { name: 'Overview' }).click();
        await page.getByRole('main').getByRole('heading', { name: 'Workspaces' }).waitFor();
        const items = await page.locator('.overview-item').allInnerTexts();
        check(items.length === 2, `the overview lists ${items.length} workspaces`);
        check(items.some((text) => text.includes(name) && text.includes('Running')), `web-api is not shown running: ${items.join(' | ')}`);
        check(items.some((text) => text.includes(orphan) && text.includes('Stopped')), `old-project is not shown stopped: ${items.join(' | ')}`);
        await s.picture('overview', { docs: true, dark: true });
      },
    },
  ]);
}

/** Every start fails in the runtime: the create dialog and the workspace show its words verbatim. */
function failureFlow(): Flow {
  const s = new Session('screens-failure');
  const name = 'broken';
  const words = 'Error: Failed to run: forklimits: exit status 1: no space left on device';
  const options: ServeOptions = {
    runtime: 'simulated',
    prepare: withoutLocalIncus,
    env: { TIDEPOOL_SIMULATED_FAIL: `start:${words}` },
  };
  return flow('Screens: a failure shows the runtime’s own words', s, options, [
    {
      name: 'a create that fails at start says so in the dialog, with the runtime’s message',
      run: async () => {
        const { page } = s;
        await page.getByRole('button', { name: 'Create your first workspace' }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByLabel('Name').fill(name);
        await dialog.getByRole('button', { name: 'Create' }).click();
        const alert = dialog.getByRole('alert');
        await alert.getByText(`“${name}” could not be created`).waitFor({ timeout: 60_000 });
        const technical = (await alert.locator('pre').innerText()).trim();
        check(technical === words, `the technical details say “${technical}”`);
        await alert.getByRole('button', { name: /Copy/ }).waitFor();
        await s.picture('create-failed', { docs: true });
        await dialog.getByRole('button', { name: 'Show workspace' }).click();
        await dialog.waitFor({ state: 'detached' });
      },
    },
    {
      name: 'the workspace shows the failed step, what to do and the runtime’s words',
      run: async () => {
        const { page } = s;
        await page.locator('.screen-title').getByText('Error', { exact: true }).waitFor();
        const alert = page.getByRole('alert');
        await alert.getByText('Failed while booting').waitFor();
        check((await alert.locator('pre').innerText()).trim() === words, 'the workspace screen lost the runtime’s words');
        await alert.getByRole('button', { name: 'Start again' }).waitFor();
        await alert.getByRole('button', { name: 'Show logs' }).waitFor();
        const [listed] = await s.listed();
        check(listed?.state === 'error' && listed.lastError?.detail === words, `listed as ${JSON.stringify(listed)}`);
        await s.picture('workspace-error', { docs: true, dark: true });
      },
    },
  ]);
}

/** The workspace user's VS Code settings (src-main/guest/ide-config.ts ideSettingsPath), from its home. */
const IDE_SETTINGS = '.local/share/code-server/User/settings.json';

/** What only a real workspace has: SSH access on the details, the VS Code workbench and a real shell, in dark. */
function incusFlow(): Flow {
  const s = new Session('screens-incus');
  const name = `e2e-screens-${randomBytes(2).toString('hex')}`;
  const terminalText = async (): Promise<string> =>
    (await s.page.locator('.xterm-rows').last().innerText()).replace(/\u00a0/g, ' ').split('\n').map((line) => line.trimEnd()).join('\n');
  const waitForTerminal = async (pattern: RegExp): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!pattern.test(await terminalText())) {
      if (Date.now() > deadline) throw new Error(`the terminal never showed ${pattern}:\n${await terminalText()}`);
      await s.page.waitForTimeout(200);
    }
  };
  /** Other Tidepool instances on this host's Incus are orphans to this fresh data folder: not part of these pictures. */
  const setAsideOrphans = async (): Promise<void> => {
    const banner = s.page.getByRole('region', { name: /has no workspace for/ });
    const shown = await banner.waitFor({ timeout: 3000 }).then(() => true, () => false);
    if (shown) await banner.getByRole('button', { name: 'Not now' }).click();
  };
  const base = flow(
    'Screens: a real workspace on Incus (SSH access, dark IDE and terminal)',
    s,
    { runtime: 'incus' },
    [
      {
        name: 'the details of a running workspace show how to connect with SSH',
        run: async () => {
          const created = await s.served.cli(['create', name]);
          check(created.code === 0, `tidepool create failed: ${created.stderr}`);
          const { page } = s;
          await setAsideOrphans();
          await s.sidebarRow(name).click();
          const ssh = page.getByRole('region', { name: 'Connect with SSH' });
          await ssh.waitFor({ timeout: 30_000 });
          const command = (await ssh.locator('.command-block code').innerText()).trim();
          check(command.startsWith('ssh ') && command.includes(`tidepool-${name}`), `the SSH command is “${command}”`);
          await ssh.getByRole('link', { name: 'Open in desktop VS Code' }).waitFor();
          // The picture shows live usage, as the details of a running workspace do.
          await page.locator('dl.details dt', { hasText: 'Usage now' }).locator('xpath=following-sibling::dd[1]').getByText(/CPU \d+%/).waitFor({ timeout: 20_000 });
          await s.picture('workspace-details', { docs: true, dark: true });
        },
      },
      {
        name: 'the IDE and a terminal in the dark theme',
        run: async () => {
          // VS Code in the browser keeps its light theme whatever the appearance; pick its dark one as a user would.
          const themed = await s.served.cli(['ssh', name, '--', `sed -i '0,/{/s//{\\n  "workbench.colorTheme": "Default Dark Modern",/' ${IDE_SETTINGS}`]);
          check(themed.code === 0, `could not choose VS Code's dark theme: ${themed.stderr}`);
          const { page } = s;
          await page.emulateMedia({ colorScheme: 'dark' });
          await s.toolbar(name).getByRole('button', { name: 'Open IDE' }).click();
          const iframe = page.locator('iframe').first();
          await iframe.waitFor({ timeout: 60_000 });
          const frame = (await (await iframe.elementHandle())!.contentFrame()) as Frame;
          await frame.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
          const dark = await frame.locator('.monaco-workbench.vs-dark').waitFor({ timeout: 15_000 }).then(() => true, () => false);
          if (!dark) {
            const settings = await s.served.cli(['ssh', name, '--', `cat ${IDE_SETTINGS}`]);
            throw new Error(`the workbench did not take VS Code's dark theme; its settings:\n${settings.stdout}${settings.stderr}`);
          }
          // Off the workbench, so no tooltip of VS Code's is left open; then let it finish drawing.
          await page.mouse.move(1399, 899);
          await page.waitForTimeout(3000);
          await s.shots.take(page, 'ide-dark', 'ide-dark');
          await s.sidebarRow(name).click();
          await s.toolbar(name).getByRole('button', { name: 'Terminal', exact: true }).click();
          await page.locator('.xterm-rows').last().waitFor({ timeout: 30_000 });
          await waitForTerminal(/\$$/m);
          await page.locator('.xterm-helper-textarea').last().focus();
          await page.keyboard.type('. /etc/os-release && echo "$PRETTY_NAME" && echo tidepool-$((6*7))', { delay: 5 });
          await page.keyboard.press('Enter');
          await waitForTerminal(/^tidepool-42$/m);
          check(/^Debian GNU\/Linux/m.test(await terminalText()), 'the workspace is not the Debian image');
          await s.shots.take(page, 'terminal-dark', 'terminal-dark');
        },
      },
    ],
    async () => chromiumMissing() ?? incusMissing(),
  );
  return {
    ...base,
    tearDown: async () => {
      if (s.served) await s.served.cli(['rm', '--force', name]).catch(() => undefined);
      await base.tearDown?.();
      incusForceDelete(`tp-${name}`);
    },
  };
}

const chosen = (process.env.TIDEPOOL_E2E_RUNTIMES ?? 'simulated,incus').split(',');
export const flows: Flow[] = [
  ...(chosen.includes('simulated') ? [noRuntimeFlow(), simulatedFlow(), failureFlow()] : []),
  ...(chosen.includes('incus') ? [incusFlow()] : []),
];
