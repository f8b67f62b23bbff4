import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { generateEd25519KeyPair } from '../../guest/ssh-key.js';
import { connectWithPassword, type BakeSession } from './bake-ssh.js';

// A stand-in for the build VM's sshd on loopback: password login admin/admin, commands run by `sh -c`.
const hostKey = generateEd25519KeyPair().private;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function sshd(port = 0): Promise<{ port: number; work: string }> {
  const work = mkdtempSync(join(tmpdir(), 'tidepool-bake-ssh-'));
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('authentication', (auth) => {
      if (auth.method === 'password' && auth.username === 'admin' && auth.password === 'admin') auth.accept();
      else auth.reject(['password']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        acceptSession().on('exec', (accept, _reject, info) => {
          const stream = accept();
          const child = spawn('sh', ['-c', info.command], { cwd: work });
          stream.pipe(child.stdin);
          child.stdout.pipe(stream, { end: false });
          child.stderr.pipe(stream.stderr, { end: false });
          child.on('close', (code) => {
            stream.exit(code ?? 1);
            stream.end();
          });
        });
      });
    });
    client.on('error', () => undefined);
  });
  cleanups.push(() => {
    server.close();
    rmSync(work, { recursive: true, force: true });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, work })));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const signal = new AbortController().signal;

async function connected(port: number, password = 'admin'): Promise<BakeSession> {
  const session = await connectWithPassword({ host: '127.0.0.1', port, username: 'admin', password }, { timeoutMs: 10_000, signal });
  cleanups.push(() => session.close());
  return session;
}

describe('the bake SSH session', () => {
  it('logs in with a password, streams output and returns the exit code', async () => {
    const { port } = await sshd();
    const session = await connected(port);
    const lines: string[] = [];
    const result = await session.exec('echo one; echo two >&2; echo three; exit 3', { onLine: (line) => lines.push(line) });
    expect(result.code).toBe(3);
    expect(lines.sort()).toEqual(['one', 'three', 'two']);
    expect(result.tail.split('\n').sort()).toEqual(['one', 'three', 'two']);
  });

  it('uploads files through the session', async () => {
    const { port, work } = await sshd();
    const session = await connected(port);
    await session.upload(join(work, "it's here.sh"), '#!/bin/sh\necho provisioned\n');
    expect(readFileSync(join(work, "it's here.sh"), 'utf8')).toBe('#!/bin/sh\necho provisioned\n');
  });

  it('keeps trying while sshd is not up yet', async () => {
    const port = await freePort();
    const session = connectWithPassword({ host: '127.0.0.1', port, username: 'admin', password: 'admin' }, { timeoutMs: 10_000, signal });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await sshd(port);
    const ready = await session;
    cleanups.push(() => ready.close());
    expect((await ready.exec('true')).code).toBe(0);
  });

  it('stops at a refused login instead of retrying it', async () => {
    const { port } = await sshd();
    const error = await connected(port, 'wrong').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TidepoolError);
    expect((error as TidepoolError).message).toContain('did not accept');
  });

  it('gives up with GUEST_UNREACHABLE when nothing answers', async () => {
    const port = await freePort();
    const error = await connectWithPassword({ host: '127.0.0.1', port, username: 'admin', password: 'admin' }, { timeoutMs: 1500, signal }).catch(
      (caught: unknown) => caught,
    );
    expect((error as TidepoolError).code).toBe('GUEST_UNREACHABLE');
  });
});
