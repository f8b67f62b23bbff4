/**
 * A remote Incus over HTTPS, for real: the local incusd is given an HTTPS listener on 127.0.0.1, a trust
 * token is made through its API, and Tidepool joins with its own client certificate, pinning the server.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TidepoolError } from '../../../src-shared/errors.js';
import { createCore, type Core } from '../../core.js';
import { SshGuest } from '../../guest/ssh-guest.js';
import { removeRunLeftovers, runName } from '../../reliability/testing/incus-core.js';
import { DEFAULT_SETTINGS } from '../../settings.js';
import { DEFAULT_SOCKET_PATH, IncusClient, type IncusOperation } from './incus-client.js';
import { addRemote, fetchServerFingerprint, loadOrCreateClientCertificate } from './incus-remote.js';
import { IncusRuntime } from './incus-runtime.js';
import { incusUnavailableReason } from './integration-support.js';

const execFileAsync = promisify(execFile);
const TIDEPOOL_BIN = fileURLToPath(new URL('../../../bin/tidepool.js', import.meta.url));

const reason = await incusUnavailableReason();
if (reason) console.warn(`Skipping Incus remote integration tests: ${reason}`);

interface TokenMetadata {
  addresses: string[];
  fingerprint: string;
  secret: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(reason !== null)('a remote Incus over HTTPS with a trust token', () => {
  const local = new IncusClient({ kind: 'unix', socketPath: DEFAULT_SOCKET_PATH });
  const dataDir = mkdtempSync(join(tmpdir(), 'tp-incus-remote-'));
  const tokenOperations: string[] = [];
  let previousAddress: string | undefined;
  let url = '';

  /** What `incus config trust add` prints: base64 of the token operation's metadata. */
  async function makeToken(): Promise<string> {
    const operation = await local.startOperation<TokenMetadata>('POST', '/1.0/certificates', {
      body: { type: 'client', name: `tidepool-it-${process.pid}`, token: true },
    });
    tokenOperations.push(operation.id);
    const metadata = (operation as IncusOperation<TokenMetadata>).metadata as TokenMetadata;
    return Buffer.from(
      JSON.stringify({ client_name: `tidepool-it-${process.pid}`, fingerprint: metadata.fingerprint, addresses: metadata.addresses, secret: metadata.secret, expires_at: '0001-01-01T00:00:00Z' }),
    ).toString('base64');
  }

  beforeAll(async () => {
    const server = await local.query<{ config: Record<string, string> }>('GET', '/1.0');
    previousAddress = server.metadata.config['core.https_address'];
    const port = await freePort();
    await local.query('PATCH', '/1.0', { body: { config: { 'core.https_address': `127.0.0.1:${port}` } } });
    url = `https://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const id of tokenOperations) await local.cancelOperation(id).catch(() => undefined);
    // Untrust Tidepool's test certificate, then put the listener back as it was.
    const certificate = await loadOrCreateClientCertificate(dataDir).catch(() => null);
    if (certificate) {
      const fingerprint = createHash('sha256').update(new X509Certificate(certificate.cert).raw).digest('hex');
      await local.query('DELETE', `/1.0/certificates/${fingerprint}`).catch(() => undefined);
    }
    await local.query('PATCH', '/1.0', { body: { config: { 'core.https_address': previousAddress ?? '' } } });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('joins with a pasted token, pins the server certificate and then talks to it as trusted', async () => {
    const token = await makeToken();
    const remote = await addRemote({ dataDir, name: 'lab', token });
    expect(remote.url).toBe(url);
    expect(remote.serverFingerprint).toBe(await fetchServerFingerprint(url));

    const settings = { ...DEFAULT_SETTINGS, incus: { socketPath: null, remotes: [remote], activeRemote: 'lab' } };
    const runtime = new IncusRuntime({ dataDir, settings: () => settings });
    const client = await runtime.client();
    expect(client.isRemote()).toBe(true);
    const info = await runtime.inspect();
    expect(info.available).toBe(true);
    expect(info.capabilities?.kinds.container.available).toBe(true);
    expect(Array.isArray(await runtime.list())).toBe(true);
    expect((await runtime.images()).some((image) => image.current)).toBe(true);
  });

  it('runs a workspace on the remote, reached through the Incus API only, and keeps managing it there after switching back', async () => {
    // Port 1 has no sshd: the guest can only be reached through the exec stream the remote runtime offers.
    const core = await createCore({
      dataDir,
      runtimeOverride: 'incus',
      healthIntervalMs: 0,
      sshGuest: (base) => new SshGuest({ dataDir: base.dataDir, settings: () => base.settings.get(), sshPort: 1, cliCommand: [process.execPath, TIDEPOOL_BIN] }),
    });
    try {
      const added = await core.remotes.add({ name: 'team', token: await makeToken(), use: true });
      expect(added.incus.activeRemote).toBe('team');
      expect(added.incus.remotes.map((remote) => remote.name)).toContain('team');

      const noImage = (await core.workspaces.create({ name: runName('noimage'), image: 'tidepool/0.0.0-missing' }).catch((caught: unknown) => caught)) as TidepoolError;
      expect(noImage.code).toBe('IMAGE_MISSING');
      expect(noImage.message).toContain('“team”');
      expect(noImage.hint).toContain('images/incus/bake.sh');

      const created = await core.workspaces.create({ name: runName('remote'), resources: { cpus: 1, memoryMiB: 1024, diskGiB: 8 } });
      await core.workspaces.settled(created.id);
      let workspace = core.workspaces.get(created.id);
      expect(workspace.lastError).toBeNull();
      expect(workspace.state).toBe('ready');
      expect(workspace.location).toBe('team');
      expect(await sshConnectionSeen(core, workspace.id)).toMatch(/^UNKNOWN /);
      const ide = await fetch(core.guestFor('incus').ideUrl(workspace.id));
      expect(ide.status).toBeLessThan(500);
      // The system's ssh, with Tidepool's config: its ProxyCommand runs `tidepool ssh-proxy`.
      const ssh = await core.guestFor('incus').sshInfo(workspace.id, workspace.name);
      const { stdout } = await execFileAsync('ssh', ['-F', ssh.configPath, '-o', 'BatchMode=yes', ssh.hostAlias, 'echo "via=$SSH_CONNECTION user=$(id -un)"'], { timeout: 60_000 });
      expect(stdout.trim()).toMatch(/^via=UNKNOWN .* user=dev$/);
      // The desktop app has no CLI to name in the config; `tidepool ssh` then gives its own ProxyCommand.
      writeFileSync(ssh.configPath, readFileSync(ssh.configPath, 'utf8').replace(/ProxyCommand .*/, 'ProxyCommand false'));
      const viaCli = await execFileAsync(process.execPath, [TIDEPOOL_BIN, '--data-dir', dataDir, 'ssh', workspace.name, '--', 'echo', 'via-cli-$(id -un)'], { timeout: 60_000 });
      expect(viaCli.stdout.trim()).toBe('via-cli-dev');

      const removing = (() => {
        try {
          core.remotes.remove('team');
          return null;
        } catch (caught) {
          return caught as TidepoolError;
        }
      })();
      expect(removing?.code).toBe('BUSY');

      // New workspaces go to this computer now; this one is still managed on “team”.
      core.remotes.use(null);
      await core.workspaces.stop(workspace.id);
      await core.workspaces.settled(workspace.id);
      await core.workspaces.start(workspace.id);
      await core.workspaces.settled(workspace.id);
      workspace = core.workspaces.get(workspace.id);
      expect(workspace.state).toBe('ready');
      expect(await sshConnectionSeen(core, workspace.id)).toMatch(/^UNKNOWN /);

      await core.workspaces.delete(workspace.id);
      await core.workspaces.settled(workspace.id);
      expect(core.remotes.remove('team').incus.remotes.some((remote) => remote.name === 'team')).toBe(false);
    } finally {
      await core.dispose();
      await removeRunLeftovers();
    }
  });

  it('refuses a server whose certificate is not the pinned one', async () => {
    const certificate = await loadOrCreateClientCertificate(dataDir);
    const impostor = new IncusClient({ kind: 'https', url, clientCert: certificate.cert, clientKey: certificate.key, serverFingerprint: 'ab'.repeat(32) });
    const error = (await impostor.query('GET', '/1.0').catch((caught: unknown) => caught)) as TidepoolError;
    expect(error.code).toBe('HOST_KEY_CHANGED');
  });

  it('refuses a token that was already used', async () => {
    const token = await makeToken();
    const strangerDir = mkdtempSync(join(tmpdir(), 'tp-incus-stranger-'));
    try {
      await addRemote({ dataDir: strangerDir, name: 'once', token });
      const reused = (await addRemote({ dataDir: mkdtempSync(join(tmpdir(), 'tp-incus-stranger2-')), name: 'twice', token }).catch((caught: unknown) => caught)) as TidepoolError;
      expect(reused.code).toMatch(/FORBIDDEN|NOT_FOUND|RUNTIME_ERROR|UNAUTHORIZED/);
      expect(reused.detail ?? reused.message).toBeTruthy();
    } finally {
      const certificate = await loadOrCreateClientCertificate(strangerDir);
      const fingerprint = createHash('sha256').update(new X509Certificate(certificate.cert).raw).digest('hex');
      await local.query('DELETE', `/1.0/certificates/${fingerprint}`).catch(() => undefined);
      rmSync(strangerDir, { recursive: true, force: true });
    }
  });
});

/** $SSH_CONNECTION in a shell of the workspace: "UNKNOWN 65535 …" when sshd was not reached over TCP. */
async function sshConnectionSeen(core: Core, id: string): Promise<string> {
  const guest = core.guestFor('incus');
  let output = '';
  let seen: (value: string) => void = () => undefined;
  const found = new Promise<string>((resolve) => (seen = resolve));
  const terminal = await guest.openTerminal(id, { cols: 200, rows: 10 }, {
    onData: (data) => {
      output += data;
      const match = /SC=\[([^\]\r\n]*)\]/.exec(output);
      if (match) seen(match[1] ?? '');
    },
    onExit: () => seen(`(shell exited) ${output}`),
  });
  // Built by printf so the terminal's echo of the command line does not match.
  guest.writeTerminal(terminal, 'printf "S%s=[%s]\\n" C "$SSH_CONNECTION"\n');
  const timeout = new Promise<string>((resolve) => setTimeout(() => resolve(`(no answer) ${output}`), 15_000));
  try {
    return await Promise.race([found, timeout]);
  } finally {
    guest.closeTerminal(terminal);
  }
}
