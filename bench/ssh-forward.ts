/**
 * The plain way to reach code-server in a guest: an OpenSSH `ssh -N -L` local forward with a key. It is
 * restarted while sshd is not up yet, and counts as ready once code-server answers /healthz through it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const GUEST_IDE_PORT = 13337;

export interface KeyPair {
  privateKeyPath: string;
  publicKey: string;
}

/** A throw-away ed25519 key for the baseline (ssh-keygen, no passphrase). */
export async function makeKeyPair(): Promise<KeyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'tidepool-bench-key-'));
  const privateKeyPath = join(dir, 'id_ed25519');
  await promisify(execFile)('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'tidepool-bench', '-f', privateKeyPath]);
  return { privateKeyPath, publicKey: readFileSync(`${privateKeyPath}.pub`, 'utf8').trim() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function healthz(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 2_000 }, (response) => {
      response.resume();
      resolve((response.statusCode ?? 500) < 500);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export interface Forward {
  localPort: number;
  close(): void;
}

/** Forwards a free 127.0.0.1 port to the guest's code-server; resolves once the IDE answers through it. */
export async function forwardIde(address: string, key: KeyPair, timeoutMs: number, user = 'dev'): Promise<Forward> {
  const localPort = await freePort();
  const args = [
    '-N',
    '-i', key.privateKeyPath,
    '-o', 'IdentitiesOnly=yes',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=5',
    '-o', 'ExitOnForwardFailure=yes',
    '-L', `127.0.0.1:${localPort}:127.0.0.1:${GUEST_IDE_PORT}`,
    `${user}@${address}`,
  ];
  let ssh: ChildProcess | null = null;
  let exited = true;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exited) {
        ssh = spawn('ssh', args, { stdio: 'ignore' });
        exited = false;
        ssh.once('exit', () => (exited = true));
      }
      if (await healthz(localPort)) break;
      if (Date.now() > deadline) throw new Error(`code-server on ${address} did not answer through ssh -L within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    ssh?.kill();
    throw error;
  }
  const child = ssh!;
  return { localPort, close: () => child.kill() };
}
