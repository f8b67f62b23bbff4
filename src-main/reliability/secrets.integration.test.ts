/**
 * Secrets stay secret through a whole session on the real local incusd: `tidepool serve` (a child process,
 * as a user runs it), signed in from a client, create → IDE through its proxy → terminal → stop → start →
 * delete, plus CLI commands through the running server. Afterwards every log Tidepool wrote, the
 * instance's Incus logs and everything the server and the CLI printed are searched for Tidepool's SSH
 * private key, the login token, the session cookie and the IDE's key and cookie; none may appear (the
 * token only in the one line that prints the login link). Every folder in the data folder is owner-only,
 * and every file too, but the public key.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationProgress, Workspace } from '../../src-shared/workspace.js';
import { cliEnv as simulatedCliEnv, runCli, startCli } from '../cli/testing/run-cli.js';
import { incusUnavailableReason } from '../runtimes/incus/integration-support.js';
import { connectApi, type ApiClient } from '../server/testing/api-client.js';
import { removeRunLeftovers, runName, tempDataDir, waitFor } from './testing/incus-core.js';

const reason = await incusUnavailableReason();
if (reason) console.warn(`Skipping the secrets test: ${reason}`);

/** The CLI as a user runs it, on Incus. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = simulatedCliEnv();
  delete env.TIDEPOOL_SIMULATED;
  delete env.TIDEPOOL_SIMULATED_DELAY_MS;
  return env;
}

/** Files that exist to hold a secret (searched for nothing: they are the secret), relative to the data folder. */
const SECRET_FILES = new Set(['ssh/id_ed25519', 'server-token']);
/** The only files that may be readable by others. */
const PUBLIC_FILES = new Set(['ssh/id_ed25519.pub']);

function walk(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    return lstatSync(path).isDirectory() ? [path, ...walk(path)] : [path];
  });
}

/** Pieces of the private key that must never be seen: the 32-byte seed in every usual spelling, and the file's own lines. */
function privateKeyNeedles(pem: string): string[] {
  const parsed = ssh2.utils.parseKey(pem);
  if (parsed instanceof Error) throw parsed;
  const der = Buffer.from(parsed.getPrivatePEM().replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const seed = der.subarray(der.length - 32);
  const body = pem.split('\n').filter((line) => line && !line.startsWith('-----'));
  // The first two lines are the same for every unencrypted ed25519 key (format name, key type, public key);
  // a short last line is padding that proves nothing.
  return [seed.toString('base64'), seed.toString('base64url'), seed.toString('hex'), body.join(''), ...body.slice(2).filter((line) => line.length >= 32)];
}

describe.skipIf(reason !== null)('no secret in any log or output (tidepool serve on real Incus)', () => {
  let dataDir: string;
  let server: ChildProcess;
  let serverOut = '';
  let serverErr = '';
  let serverExit: Promise<unknown>;
  let api: ApiClient;
  let loginUrl: URL;
  let sessionCookie = '';
  let ideKey = '';
  let ideCookie = '';
  /** Everything the test saw printed or logged, by where it came from. */
  const seen = new Map<string, string>();
  const name = runName('secrets');
  let workspace: Workspace;

  function collectLogs(label: string): void {
    const folder = join(dataDir, 'logs');
    if (existsSync(folder)) for (const file of readdirSync(folder)) seen.set(`${label} logs/${file}`, readFileSync(join(folder, file), 'utf8'));
  }

  async function finished(id: string, operation: OperationProgress['operation']): Promise<OperationProgress> {
    return (await api.waitForEvent(
      (event, payload) =>
        event === 'progress' && (payload as OperationProgress).workspaceId === id && (payload as OperationProgress).operation === operation && (payload as OperationProgress).done,
      240_000,
    )) as OperationProgress;
  }

  beforeAll(async () => {
    dataDir = tempDataDir('secrets');
    server = startCli(['--runtime', 'incus', '--data-dir', dataDir, 'serve', '--port', '0'], cliEnv());
    server.stdout!.on('data', (chunk: Buffer) => (serverOut += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (serverErr += chunk.toString()));
    serverExit = once(server, 'exit');
    await waitFor('the login link', async () => (/sign in: (\S+)/.test(serverOut) ? true : null), 30_000);
    loginUrl = new URL(/sign in: (\S+)/.exec(serverOut)![1]!);
    const login = await fetch(loginUrl, { redirect: 'manual' });
    sessionCookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    api = await connectApi(`ws://${loginUrl.host}/api`, { origin: loginUrl.origin, cookie: sessionCookie });
  }, 60_000);

  afterAll(async () => {
    try {
      api?.close();
      if (server && server.exitCode === null) {
        server.kill('SIGINT');
        await serverExit;
      }
    } finally {
      const left = await removeRunLeftovers();
      if (left.length > 0) console.warn(`removed leftovers: ${left.join(', ')}`);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('runs a whole session: create, the IDE through its proxy, a terminal, stop, start, delete', async () => {
    const created = await api.call('createWorkspace', { name, runtime: 'incus', resources: { cpus: 1, memoryMiB: 1024, diskGiB: 8 } });
    expect(created).toMatchObject({ ok: true });
    workspace = (created as { value: Workspace }).value;
    expect((await finished(workspace.id, 'create')).failed).toBe(false);

    const opened = (await api.call('openWorkspace', { id: workspace.id })) as { ok: true; value: { ideUrl: string } };
    const ideUrl = new URL(opened.value.ideUrl);
    ideKey = ideUrl.searchParams.get('tidepool-ide-key') ?? '';
    expect(ideKey).not.toBe('');
    const signIn = await fetch(ideUrl, { redirect: 'manual' });
    ideCookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const page = await fetch(new URL('/', ideUrl), { headers: { cookie: ideCookie }, redirect: 'manual' });
    expect(page.status).toBeLessThan(400);

    const terminal = (await api.call('openTerminal', { id: workspace.id, cols: 80, rows: 24 })) as { ok: true; value: { terminalId: string } };
    const terminalId = terminal.value.terminalId;
    await api.call('writeTerminal', { terminalId, data: 'echo "answer-$((6*7))"\n' });
    await api.waitForEvent((event, payload) => event === 'terminalData' && (payload as { data: string }).data.includes('answer-42'), 30_000);
    await api.call('closeTerminal', { terminalId });

    await api.call('stopWorkspace', { id: workspace.id });
    expect((await finished(workspace.id, 'stop')).failed).toBe(false);
    await api.call('startWorkspace', { id: workspace.id });
    expect((await finished(workspace.id, 'start')).failed).toBe(false);

    // Through the running server, as a user would look.
    for (const args of [['logs', name, '-n', '2000'], ['ls', '--json'], ['ssh', name, '--', 'echo', 'ssh-ok']]) {
      const run = await runCli(['--data-dir', dataDir, ...args], cliEnv());
      seen.set(`tidepool ${args.join(' ')} (stdout)`, run.stdout);
      seen.set(`tidepool ${args.join(' ')} (stderr)`, run.stderr);
    }
    expect(seen.get(`tidepool ssh ${name} -- echo ssh-ok (stdout)`)).toContain('ssh-ok');
    collectLogs('before delete:');
    const incusLogs = `/var/log/incus/${workspace.instanceName}`;
    if (existsSync(incusLogs)) for (const file of readdirSync(incusLogs)) seen.set(`${incusLogs}/${file}`, readFileSync(join(incusLogs, file), 'utf8'));
    expect([...seen.keys()].some((key) => key.startsWith('/var/log/incus/'))).toBe(true);

    // Every folder owner-only, every file too but the public key, while everything is in use.
    const loose = walk(dataDir)
      .map((path) => ({ path: relative(dataDir, path), mode: lstatSync(path).mode & 0o777, dir: lstatSync(path).isDirectory() }))
      .filter(({ path, mode, dir }) => (dir ? mode !== 0o700 : (mode & 0o077) !== 0 && !PUBLIC_FILES.has(path)));
    console.info(`data folder: ${walk(dataDir).map((path) => `${relative(dataDir, path)} ${(lstatSync(path).mode & 0o777).toString(8)}`).join(', ')}`);
    expect(loose).toEqual([]);
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);

    await api.call('deleteWorkspace', { id: workspace.id });
    expect((await finished(workspace.id, 'delete')).failed).toBe(false);
    collectLogs('after delete:');
  }, 600_000);

  it('none of the secrets appears in the logs, the Incus logs or anything printed', async () => {
    expect(workspace).toBeDefined();
    server.kill('SIGINT');
    await serverExit;
    seen.set('tidepool serve (stdout)', serverOut);
    seen.set('tidepool serve (stderr)', serverErr);
    for (const path of walk(dataDir)) {
      const key = relative(dataDir, path);
      if (!lstatSync(path).isDirectory() && !SECRET_FILES.has(key)) seen.set(`data folder: ${key}`, readFileSync(path, 'latin1'));
    }
    const token = readFileSync(join(dataDir, 'server-token'), 'utf8').trim();
    const secrets: [string, string][] = [
      ...privateKeyNeedles(readFileSync(join(dataDir, 'ssh', 'id_ed25519'), 'utf8')).map((needle): [string, string] => ['the SSH private key', needle]),
      ['the server token', token],
      ['the session cookie', sessionCookie.split('=')[1]!],
      ['the IDE key', ideKey],
      ['the IDE cookie', ideCookie.split('=')[1]!],
    ];
    for (const [, needle] of secrets) expect(needle.length).toBeGreaterThanOrEqual(32);
    // The search can find them: each key needle is in the key file (the seed, as its PKCS#8 form's tail).
    const keyFile = readFileSync(join(dataDir, 'ssh', 'id_ed25519'), 'utf8');
    expect(secrets.filter(([what, needle]) => what === 'the SSH private key' && keyFile.replace(/\n/g, '').includes(needle)).length).toBeGreaterThanOrEqual(2);
    // Printed once, by design: the line with the login link.
    expect(serverOut.split(token).length - 1).toBe(1);
    expect(serverOut.split('\n').filter((line) => line.includes(token))).toEqual([`Open this link to sign in: ${loginUrl.href}`]);
    seen.set('tidepool serve (stdout)', serverOut.replace(`Open this link to sign in: ${loginUrl.href}`, ''));

    const leaks = [...seen].flatMap(([where, text]) => secrets.filter(([, needle]) => text.includes(needle)).map(([what]) => `${what} in ${where}`));
    console.info(`searched ${seen.size} logs and outputs (${[...seen.values()].reduce((sum, text) => sum + text.length, 0)} characters) for ${secrets.length} secret strings`);
    expect(leaks).toEqual([]);
  });
});
