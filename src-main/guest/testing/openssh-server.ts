/**
 * Test support: a real OpenSSH sshd on 127.0.0.1, run as the current user (no root needed) with its own
 * host key, config and authorized_keys in a temporary folder. It stands in for a workspace's sshd.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { generateEd25519KeyPair } from '../ssh-key.js';

export const SSHD_PATH = '/usr/sbin/sshd';

/** Why a real sshd cannot run here, or null when it can. */
export function sshdUnavailableReason(): string | null {
  if (!existsSync(SSHD_PATH)) return `${SSHD_PATH} is missing (install openssh-server: apt-get install openssh-server)`;
  // As root, sshd insists on its privilege-separation folder.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) {
    try {
      mkdirSync('/run/sshd', { mode: 0o755 });
    } catch (error) {
      return `/run/sshd is missing and could not be created: ${String(error)}`;
    }
  }
  return null;
}

export interface TestSshd {
  port: number;
  /** The login user: whoever runs the tests. */
  user: string;
  /** Starts it again on the same port (after stop()). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Gives it a new host key, as a rebuilt or impostor machine would have; takes effect on the next start. */
  replaceHostKey(): void;
  /** Replaces the keys it accepts. */
  authorize(publicKeys: string[]): void;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startTestSshd(dir: string, options: { authorizedKeys: string[]; port?: number; start?: boolean }): Promise<TestSshd> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const port = options.port ?? (await freePort());
  const hostKeyPath = join(dir, 'host_ed25519');
  const authorizedKeysPath = join(dir, 'authorized_keys');
  const configPath = join(dir, 'sshd_config');
  const replaceHostKey = (): void => {
    writeFileSync(hostKeyPath, generateEd25519KeyPair().private, { mode: 0o600 });
  };
  const authorize = (keys: string[]): void => writeFileSync(authorizedKeysPath, keys.map((key) => `${key}\n`).join(''), { mode: 0o600 });
  replaceHostKey();
  authorize(options.authorizedKeys);
  writeFileSync(
    configPath,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKeyPath}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeysPath}`,
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'AllowAgentForwarding yes',
      'AcceptEnv LANG LC_* COLORTERM',
      'PrintMotd no',
      'PrintLastLog no',
      'MaxSessions 30',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  const sshd: TestSshd = {
    port,
    user: userInfo().username,
    replaceHostKey,
    authorize,
    start: async () => {
      const reason = sshdUnavailableReason();
      if (reason) throw new Error(reason);
      const started = spawn(SSHD_PATH, ['-D', '-e', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = started;
      let stderr = '';
      started.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const deadline = Date.now() + 10_000;
      while (!(await accepts(port))) {
        if (started.exitCode !== null) throw new Error(`sshd exited with ${started.exitCode}: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port}: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: async () => {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGTERM');
      });
      // Sessions already open run in their own sshd processes; a stopped server must not answer new ones.
      while (await accepts(port)) await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
  if (options.start !== false) await sshd.start();
  return sshd;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
