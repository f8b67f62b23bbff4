/**
 * `tidepool remote` as a user runs it: the real command line, in this process, going through the local
 * socket of a core on the simulated runtime (as when the app is running). Remotes are put into the
 * settings directly; `add` is checked against a stand-in Incus HTTPS endpoint on 127.0.0.1 that accepts
 * the token, since no real server is reachable here (the lead's integration test uses a real incusd).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import selfsigned from 'selfsigned';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exampleWorkspace } from '../../../src-shared/testing/example-workspace.js';
import type { IncusRemote, Workspace } from '../../../src-shared/workspace.js';
import { createHandlers } from '../../api/handlers.js';
import { clientCertificatePaths } from '../../runtimes/incus/incus-remote.js';
import { attachLocalSocket, localSocketPath, type LocalSocketServer } from '../../server/local-socket.js';
import { simulatedHarness, type Harness } from '../../workspaces/test-harness.js';
import { EXIT } from '../exit-codes.js';
import { runCli } from '../program.js';
import type { SecretInput } from '../read-secret.js';
import type { RemoteEntry } from './remote.js';

let harness: Harness;
let socket: LocalSocketServer;

beforeEach(async () => {
  harness = await simulatedHarness();
  socket = await attachLocalSocket({ socketPath: localSocketPath(harness.core.dataDir), handlers: createHandlers(harness.core), events: harness.core.events });
});
afterEach(async () => {
  await socket.close();
  await harness.core.dispose();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

async function cli(args: string[], stdin: SecretInput = Readable.from([])): Promise<Run> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCli(['--data-dir', harness.core.dataDir, ...args], { stdout: stdout.stream, stderr: stderr.stream, stdin, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const LAB: IncusRemote = { name: 'lab', url: 'https://10.0.0.5:8443', serverFingerprint: 'a2d372ba78407ecaad802aed60ea24b44099ecbf3c9c143eba2e73557607d769' };
const CI: IncusRemote = { name: 'ci', url: 'https://ci.example.com:8443', serverFingerprint: '0f'.repeat(32) };

function withRemotes(remotes: IncusRemote[], activeRemote: string | null): void {
  harness.core.settings.replace({ incus: { ...harness.core.settings.get().incus, remotes, activeRemote } });
}

/** A workspace record as the core keeps it (no instance behind it: these tests only read records). */
function putWorkspace(name: string, runtime: Workspace['runtime'], location?: string): void {
  const workspace = exampleWorkspace({ id: `ws-${name}`, name, runtime, ...(location !== undefined ? { location } : {}) });
  harness.store.set('workspaces', { ...harness.store.get('workspaces'), [workspace.id]: workspace });
}

describe('tidepool remote ls', () => {
  it('shows only this computer at first, active, and says how to add a server', async () => {
    const run = await cli(['remote', 'ls']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/^\s+NAME\s+URL\s+FINGERPRINT\s+WORKSPACES$/m);
    expect(run.stdout).toMatch(/^\*\s+local\s+\(this computer\)\s+-\s+0$/m);
    expect(run.stdout).toContain('incus config trust add tidepool');
    const json = await cli(['remote', 'ls', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([{ name: 'local', url: null, serverFingerprint: null, active: true, workspaces: 0 }]);
  });

  it('lists the remotes with shortened fingerprints, marks the active one and counts the workspaces on each', async () => {
    withRemotes([LAB, CI], 'lab');
    putWorkspace('here', 'incus');
    putWorkspace('there', 'incus', 'lab');
    putWorkspace('also-there', 'incus', 'lab');
    putWorkspace('pretend', 'simulated');
    const run = await cli(['remote', 'list']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toMatch(/^\s+local\s+\(this computer\)\s+-\s+1$/m);
    expect(run.stdout).toMatch(/^\*\s+lab\s+https:\/\/10\.0\.0\.5:8443\s+a2d372ba78407eca…\s+2$/m);
    expect(run.stdout).toMatch(/^\s+ci\s+https:\/\/ci\.example\.com:8443\s+0f0f0f0f0f0f0f0f…\s+0$/m);
    expect(run.stdout).not.toContain(LAB.serverFingerprint);

    const json = await cli(['--json', 'remote', 'ls']);
    const entries = JSON.parse(json.stdout) as RemoteEntry[];
    expect(entries).toEqual([
      { name: 'local', url: null, serverFingerprint: null, active: false, workspaces: 1 },
      { ...LAB, active: true, workspaces: 2 },
      { ...CI, active: false, workspaces: 0 },
    ]);
  });
});

describe('tidepool ls', () => {
  it('adds a SERVER column only once a workspace lives on a remote', async () => {
    putWorkspace('here', 'incus');
    const plain = await cli(['ls']);
    expect(plain.stdout).toMatch(/^NAME\s+STATE\s+RUNTIME\s+KIND\s+IDE\s+CREATED$/m);
    expect(plain.stdout).not.toContain('SERVER');

    withRemotes([LAB], null);
    putWorkspace('there', 'incus', 'lab');
    const located = await cli(['ls']);
    expect(located.stdout).toMatch(/^NAME\s+STATE\s+RUNTIME\s+SERVER\s+KIND\s+IDE\s+CREATED$/m);
    expect(located.stdout).toMatch(/^here\s+stopped\s+incus\s+local\s+container/m);
    expect(located.stdout).toMatch(/^there\s+stopped\s+incus\s+lab\s+container/m);
  });
});

describe('tidepool remote use', () => {
  it('switches where new workspaces go, and back to this computer with “local”', async () => {
    withRemotes([LAB, CI], null);
    const toLab = await cli(['remote', 'use', 'lab']);
    expect(toLab.code).toBe(EXIT.ok);
    expect(toLab.stdout).toContain('New workspaces are now created on “lab” (https://10.0.0.5:8443)');
    expect(harness.core.settings.get().incus.activeRemote).toBe('lab');

    const back = await cli(['--json', 'remote', 'use', 'local']);
    expect(back.code).toBe(EXIT.ok);
    expect(JSON.parse(back.stdout)).toMatchObject({ name: 'local', active: true });
    expect(harness.core.settings.get().incus.activeRemote).toBeNull();
  });

  it('exits 3 for a name that is not added, with a hint naming the ones that are, and changes nothing', async () => {
    withRemotes([LAB], 'lab');
    const run = await cli(['remote', 'use', 'nowhere']);
    expect(run.code).toBe(EXIT.notFound);
    expect(run.stderr).toContain('Error: No Incus remote named “nowhere” is added.');
    expect(run.stderr).toMatch(/Hint: Added: lab, and local/);
    const json = await cli(['--json', 'remote', 'use', 'nowhere']);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'NOT_FOUND', hint: expect.stringContaining('tidepool remote ls') } });
    expect(harness.core.settings.get().incus.activeRemote).toBe('lab');
  });

  it('with no remote at all, the hint says how to add one', async () => {
    const run = await cli(['remote', 'use', 'lab']);
    expect(run.code).toBe(EXIT.notFound);
    expect(run.stderr).toMatch(/Hint: .*tidepool remote add <name>.*incus config trust add tidepool/);
  });

  it('exits 2 for an invalid name before asking Tidepool anything', async () => {
    const run = await cli(['--json', 'remote', 'use', 'Not_A_Name']);
    expect(run.code).toBe(EXIT.usage);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'INVALID_INPUT', fields: { name: expect.stringContaining('lower-case') } } });
  });
});

describe('tidepool remote rm', () => {
  it('is refused with exit 4 while a workspace lives on the remote, naming it, and changes nothing', async () => {
    withRemotes([LAB], 'lab');
    putWorkspace('there', 'incus', 'lab');
    const run = await cli(['remote', 'rm', 'lab']);
    expect(run.code).toBe(EXIT.busy);
    expect(run.stderr).toContain('Error: A workspace lives on “lab”: there.');
    expect(run.stderr).toMatch(/^Hint: Delete them first/m);
    expect(harness.core.settings.get().incus).toMatchObject({ remotes: [LAB], activeRemote: 'lab' });
  });

  it('forgets a remote; removing the active one sends new workspaces back to this computer', async () => {
    withRemotes([LAB, CI], 'lab');
    const run = await cli(['remote', 'remove', 'lab']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('Removed “lab”.');
    expect(run.stdout).toContain('New workspaces are now created on this computer.');
    expect(run.stdout).toContain('incus config trust list');
    expect(harness.core.settings.get().incus).toMatchObject({ remotes: [CI], activeRemote: null });

    const json = await cli(['--json', 'remote', 'rm', 'ci']);
    expect(JSON.parse(json.stdout)).toEqual({ name: 'ci', removed: true });
    expect(harness.core.settings.get().incus.remotes).toEqual([]);
  });

  it('exits 3 for an unknown remote and 2 for “local”', async () => {
    expect((await cli(['remote', 'rm', 'nowhere'])).code).toBe(EXIT.notFound);
    const local = await cli(['remote', 'rm', 'local']);
    expect(local.code).toBe(EXIT.usage);
    expect(local.stderr).toContain('cannot be removed');
  });
});

describe('tidepool remote add without a server', () => {
  it('refuses a malformed token with exit 2 and the server command in the hint, changing nothing', async () => {
    const before = harness.core.settings.get().incus;
    const run = await cli(['--json', 'remote', 'add', 'lab', '-'], Readable.from(['this is not a token\n']));
    expect(run.code).toBe(EXIT.usage);
    expect(JSON.parse(run.stdout)).toMatchObject({
      error: { code: 'INVALID_INPUT', message: 'That is not an Incus trust token.', hint: expect.stringContaining('incus config trust add tidepool') },
    });
    expect(run.stderr).toContain('Hint: On the server, run `incus config trust add tidepool`');
    expect(run.stderr).not.toContain('Asking the Incus server');
    expect(harness.core.settings.get().incus).toEqual(before);
    expect(existsSync(clientCertificatePaths(harness.core.dataDir).dir)).toBe(false);
  });

  it('refuses an empty stdin with the same hint', async () => {
    const run = await cli(['remote', 'add', 'lab'], Readable.from(['\n']));
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('No trust token came in on stdin.');
    expect(run.stderr).toContain('incus config trust add tidepool');
  });

  it('refuses “local” and a name that is taken', async () => {
    const local = await cli(['remote', 'add', 'local', 'x']);
    expect(local.code).toBe(EXIT.usage);
    expect(local.stderr).toContain('this computer’s own Incus');
    withRemotes([LAB], null);
    // Well-formed, so the name is what is refused; nothing is contacted.
    const token = Buffer.from(JSON.stringify({ fingerprint: LAB.serverFingerprint, secret: 's', addresses: ['10.0.0.5:8443'] })).toString('base64');
    const taken = await cli(['--json', 'remote', 'add', 'lab', token]);
    expect(taken.code).toBe(EXIT.other);
    expect(JSON.parse(taken.stdout)).toMatchObject({ error: { code: 'ALREADY_EXISTS' } });
    expect(harness.core.settings.get().incus.remotes).toEqual([LAB]);
  });

  it('teaches the server-side command in its help', async () => {
    const run = await cli(['remote', 'add', '--help']);
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain('incus config trust add tidepool');
    expect(run.stdout).toContain('--no-use');
  });
});

/** Answers like an Incus server that trusts the client once it has posted the right token. */
describe('tidepool remote add against a stand-in Incus endpoint', () => {
  let server: https.Server;
  let url: string;
  let fingerprint: string;
  const posted: { trust_token?: string }[] = [];

  beforeAll(async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'stand-in-incus' }], { keyType: 'ec', curve: 'P-256' });
    fingerprint = new X509Certificate(pems.cert).fingerprint256.replace(/:/g, '').toLowerCase();
    server = https.createServer({ cert: pems.cert, key: pems.private }, (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const reply = (metadata: unknown) => {
          response.writeHead(200, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ type: 'sync', status: 'Success', status_code: 200, operation: '', error_code: 0, error: '', metadata }));
        };
        if (request.method === 'POST' && request.url === '/1.0/certificates') {
          posted.push(JSON.parse(body) as { trust_token?: string });
          reply({});
        } else reply({ auth: posted.some((post) => post.trust_token === tokenFor(url)) ? 'trusted' : 'untrusted' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const tokenFor = (address: string): string =>
    Buffer.from(
      JSON.stringify({ client_name: 'tidepool', fingerprint, addresses: [new URL(address).host], secret: 'one-time', expires_at: '0001-01-01T00:00:00Z' }),
    ).toString('base64');

  it('reads the token from stdin (piped straight from the server), pins the certificate and uses the server', async () => {
    const token = tokenFor(url);
    const run = await cli(['remote', 'add', 'lab'], Readable.from([`Client tidepool certificate add token:\n${token}\n`]));
    expect(run.stderr).toBe(`Asking the Incus server at ${url} to trust Tidepool…\n`);
    expect(run.code).toBe(EXIT.ok);
    expect(posted.at(-1)?.trust_token).toBe(token);
    expect(run.stdout).toContain(`Added “lab”: ${url}\n`);
    expect(run.stdout).toContain(`Pinned server certificate (SHA-256): ${fingerprint}\n`);
    expect(run.stdout).toContain('New workspaces are now created on “lab”.');
    expect(harness.core.settings.get().incus).toMatchObject({ remotes: [{ name: 'lab', url, serverFingerprint: fingerprint }], activeRemote: 'lab' });
  });

  it('with --no-use and --json, adds it without changing where new workspaces go', async () => {
    const run = await cli(['--json', 'remote', 'add', 'lab', '-', '--no-use', '--url', url], Readable.from([tokenFor(url)]));
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toEqual({ name: 'lab', url, serverFingerprint: fingerprint, active: false, workspaces: 0 });
    expect(harness.core.settings.get().incus.activeRemote).toBeNull();
  });

  it('on a terminal, prompts for the token without echoing it', async () => {
    const token = tokenFor(url);
    const terminal = Object.assign(new PassThrough(), { isTTY: true });
    const running = cli(['remote', 'add', 'lab', '--no-use'], terminal);
    setTimeout(() => terminal.write(`${token}\r`), 20);
    const run = await running;
    expect(run.code).toBe(EXIT.ok);
    expect(run.stderr).toContain('Paste the trust token from `incus config trust add tidepool` (hidden): ');
    expect(run.stderr).not.toContain(token);
    expect(run.stdout).toContain('New workspaces are still created on this computer. To use “lab”: tidepool remote use lab');
  });
});
