/**
 * The `tidepool` command as scripts use it: run as a child process against a temporary data folder on the
 * simulated runtime. Exit codes, --json shapes and plain progress lines are the promises checked here.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../src-shared/workspace.js';
import { EXIT } from './exit-codes.js';
import { cliEnv, runCli, startCli } from './testing/run-cli.js';

// Every test runs the CLI as child processes (about half a second each): allow for a busy machine.
let root: string;
let dataDir: string;
const sim = (...args: string[]) => ['--data-dir', dataDir, '--runtime', 'simulated', ...args];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tidepool-cli-'));
  dataDir = join(root, 'data');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('command line and usage errors', { timeout: 60_000 }, () => {
  it('teaches in --help: commands, examples, exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('Exit codes:');
    expect(run.stdout).toMatch(/create \[options\] <name>/);
    const create = await runCli(['create', '--help']);
    expect(create.code).toBe(EXIT.ok);
    expect(create.stdout).toContain('Examples:');
    expect(create.stdout).toContain('$ tidepool create web');
  });

  it('exits 2 on an unknown command, an unknown option or a bad --runtime', async () => {
    expect((await runCli(['frobnicate'])).code).toBe(EXIT.usage);
    expect((await runCli(['ls', '--colour'])).code).toBe(EXIT.usage);
    const badRuntime = await runCli(['--runtime', 'docker', 'ls']);
    expect(badRuntime.code).toBe(EXIT.usage);
    expect(badRuntime.stderr).toContain('docker');
  });

  it('rejects an invalid name with the shared rule before touching anything', async () => {
    const fresh = join(root, 'untouched');
    const run = await runCli(['--data-dir', fresh, '--runtime', 'simulated', '--json', 'create', 'Bad_Name']);
    expect(run.code).toBe(EXIT.usage);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'INVALID_INPUT', fields: { name: expect.stringContaining('lower-case') } } });
    expect(run.stderr).toContain('not a valid workspace name');
    expect(existsSync(fresh)).toBe(false);
  });

  it('rejects bad sizes as usage errors', async () => {
    const run = await runCli(sim('create', 'sized', '--memory', 'lots'));
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('--memory');
    const tooSmall = await runCli(sim('create', 'sized', '--memory', '64M'));
    expect(tooSmall.code).toBe(EXIT.usage);
    expect(tooSmall.stderr).toContain('at least 512');
  });
});

describe('workspace lifecycle on the simulated runtime', { timeout: 60_000 }, () => {
  it('lists nothing at first, as [] with --json', async () => {
    const run = await runCli(sim('ls', '--json'));
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it('creates and waits, with one plain progress line per step on a non-terminal', async () => {
    const run = await runCli(sim('create', 'web'));
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('“web” is ready');
    const steps = run.stderr
      .split('\n')
      .map((line) => /^\[\s*\d+\.\ds\] (.+)$/.exec(line)?.[1])
      .filter((step): step is string => step !== undefined);
    expect(steps).toEqual([
      'Cloning image',
      'Booting',
      'Waiting for network',
      'Connecting over SSH',
      'Configuring',
      'Starting IDE',
      '“web” is ready',
    ]);
    expect(run.stderr).toContain('simulated');
    expect(run.stderr).not.toContain('\x1b[');
  });

  it('prints the workspace as JSON and labels simulated workspaces in the table', async () => {
    const json = await runCli(sim('ls', '--json'));
    const [web] = JSON.parse(json.stdout) as Workspace[];
    expect(web).toMatchObject({ name: 'web', state: 'ready', runtime: 'simulated', kind: 'container' });
    const table = await runCli(sim('ls'));
    expect(table.stdout).toMatch(/^NAME\s+STATE\s+RUNTIME/m);
    expect(table.stdout).toMatch(/^web\s+ready\s+simulated\*/m);
    expect(table.stdout).toContain('* simulated');
  });

  it('refuses a taken name with exit 1 and the error as JSON', async () => {
    const run = await runCli(sim('--json', 'create', 'web'));
    expect(run.code).toBe(EXIT.other);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'ALREADY_EXISTS' } });
  });

  it('exits 3 for a workspace that does not exist', async () => {
    const run = await runCli(sim('--json', 'start', 'nowhere'));
    expect(run.code).toBe(EXIT.notFound);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('stops and starts, returning the workspace as JSON', async () => {
    const stop = await runCli(sim('stop', 'web', '--json'));
    expect(stop.code).toBe(EXIT.ok);
    expect(JSON.parse(stop.stdout)).toMatchObject({ name: 'web', state: 'stopped' });
    const again = await runCli(sim('stop', 'web'));
    expect(again.stdout).toContain('already stopped');
    const start = await runCli(sim('--json', 'start', 'web'));
    expect(start.code).toBe(EXIT.ok);
    expect(JSON.parse(start.stdout)).toMatchObject({ name: 'web', state: 'ready' });
  });

  it('shows the log, as JSON lines with --json', async () => {
    const run = await runCli(sim('logs', 'web', '-n', '3', '--json'));
    expect(run.code).toBe(EXIT.ok);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatchObject({ source: expect.any(String), level: expect.any(String), text: expect.any(String) });
  });

  it('refuses to delete a running workspace without --force, then deletes it', async () => {
    const refused = await runCli(sim('--json', 'rm', 'web'));
    expect(refused.code).toBe(EXIT.other);
    expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'INVALID_STATE' } });
    const removed = await runCli(sim('--json', 'rm', '--force', 'web'));
    expect(removed.code).toBe(EXIT.ok);
    expect(JSON.parse(removed.stdout)).toMatchObject({ name: 'web', deleted: true });
    expect(JSON.parse((await runCli(sim('ls', '--json'))).stdout)).toEqual([]);
  });

  it('exits 5 when the chosen runtime is not available here', async () => {
    const run = await runCli(['--data-dir', dataDir, '--runtime', 'tart', '--json', 'create', 'mac-only']);
    expect(run.code).toBe(EXIT.runtime);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'RUNTIME_UNAVAILABLE' } });
  });
});

describe('two commands at once', { timeout: 60_000 }, () => {
  it('goes through the first command’s socket and gets exit 4 for a busy workspace', async () => {
    const slow = startCli(sim('create', 'slow'), cliEnv({ TIDEPOOL_SIMULATED_DELAY_MS: '600' }));
    const closed = new Promise<number | null>((resolve) => slow.once('close', resolve));
    try {
      let listed: Workspace[] = [];
      for (let tries = 0; tries < 50 && !listed.some((w) => w.name === 'slow'); tries++) {
        const run = await runCli(sim('ls', '--json'));
        listed = run.code === 0 ? (JSON.parse(run.stdout) as Workspace[]) : [];
      }
      expect(listed.find((w) => w.name === 'slow')?.state).toMatch(/creating|starting|configuring/);
      const busy = await runCli(sim('--json', 'stop', 'slow'));
      expect(busy.code).toBe(EXIT.busy);
      expect(JSON.parse(busy.stdout)).toMatchObject({ error: { code: 'BUSY' } });
      expect(await closed).toBe(EXIT.ok);
    } finally {
      slow.kill();
    }
    expect((await runCli(sim('rm', '--force', 'slow'))).code).toBe(EXIT.ok);
  });
});

describe('doctor', { timeout: 60_000 }, () => {
  it('passes with the simulated runtime and a private data folder', async () => {
    const run = await runCli(sim('doctor', '--json'));
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: { id: string; status: string }[] };
    expect(report.checks.find((check) => check.id === 'runtime-simulated')?.status).toBe('ok');
    expect(report.checks.find((check) => check.id === 'data-dir')?.status).toBe('ok');
    expect(run.code).toBe(report.ok ? EXIT.ok : EXIT.runtime);
  });

  it('fails and says how to fix a data folder others can read', async () => {
    const open = join(root, 'open-data');
    expect((await runCli(['--data-dir', open, '--runtime', 'simulated', 'ls'])).code).toBe(EXIT.ok);
    chmodSync(open, 0o755);
    const run = await runCli(['--data-dir', open, '--runtime', 'simulated', 'doctor']);
    expect(run.code).not.toBe(EXIT.ok);
    expect(run.stdout).toMatch(/✗ Data folder .*Other users can look inside/);
    expect(run.stdout).toContain(`fix: chmod 700 '${open}'`);
  });
});
