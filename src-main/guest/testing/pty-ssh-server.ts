/**
 * Test support for terminals where sshd cannot hand out a PTY: an unprivileged sshd must chown the PTY to
 * group `tty`, which fails where /dev/pts is mounted without gid=5 (some containers and CI machines). This
 * in-process SSH server gives each shell request a real PTY (node-pty) running bash, and honours resizes.
 */
import { spawn as spawnPty, type IPty } from 'node-pty';
import ssh2, { type Connection, type PseudoTtyInfo, type Server } from 'ssh2';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { generateEd25519KeyPair } from '../ssh-key.js';

export interface PtySshServer {
  port: number;
  close(): Promise<void>;
}

export async function startPtySshServer(authorizedKey: string, home: string): Promise<PtySshServer> {
  const allowed = ssh2.utils.parseKey(authorizedKey);
  if (allowed instanceof Error) throw allowed;
  const hostKey = generateEd25519KeyPair().private;
  const connections = new Set<Connection>();
  const shells = new Set<IPty>();
  const server: Server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (auth) => {
      if (auth.method !== 'publickey' || auth.key.algo !== allowed.type) return auth.reject(['publickey']);
      const expected = allowed.getPublicSSH();
      if (auth.key.data.length !== expected.length || !timingSafeEqual(auth.key.data, expected)) return auth.reject(['publickey']);
      if (auth.signature && auth.blob && allowed.verify(auth.blob, auth.signature, auth.hashAlgo) !== true) return auth.reject(['publickey']);
      auth.accept();
    });
    client.on('session', (acceptSession) => {
      const session = acceptSession();
      let size: Pick<PseudoTtyInfo, 'cols' | 'rows'> = { cols: 80, rows: 24 };
      let shell: IPty | null = null;
      session.on('pty', (accept, _reject, info) => {
        size = info;
        accept?.();
      });
      session.on('window-change', (accept, _reject, info) => {
        shell?.resize(info.cols, info.rows);
        accept?.();
      });
      session.on('env', (accept) => accept?.());
      session.on('shell', (accept) => {
        const stream = accept();
        const pty = spawnPty('/bin/bash', ['--norc', '--noprofile', '-i'], {
          name: 'xterm-256color',
          cols: size.cols,
          rows: size.rows,
          cwd: home,
          env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PS1: '$ ' },
        });
        shell = pty;
        shells.add(pty);
        pty.onData((data) => stream.write(data));
        pty.onExit(({ exitCode }) => {
          shells.delete(pty);
          stream.exit(exitCode);
          stream.end();
        });
        stream.on('data', (data: Buffer) => pty.write(data.toString('utf8')));
        stream.on('close', () => {
          if (shells.has(pty)) pty.kill('SIGHUP');
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const pty of shells) pty.kill('SIGKILL');
      for (const connection of connections) connection.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
