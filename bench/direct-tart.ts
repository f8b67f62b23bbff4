/**
 * Tart without Tidepool: `tart clone` the Tidepool VM image, `tart run` it headless with the public key on
 * a read-only virtiofs share (the image's first-boot unit installs it, as for Tidepool), `tart ip --wait`.
 * Tart's default NAT network, as a user would run it. Cost figures are not read on Tart (the VM's memory
 * lives in a Virtualization.framework process the bench cannot attribute to one VM).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DirectRuntime } from './direct-runtime.js';

const run = promisify(execFile);

export class DirectTart implements DirectRuntime {
  readonly id = 'tart' as const;
  private readonly runs = new Map<string, ChildProcess>();

  constructor(private readonly image: string) {}

  async describe(): Promise<Record<string, string>> {
    const version = await run('tart', ['--version']).then((out) => out.stdout.trim(), () => 'unknown');
    return { 'Tart version': version, storage: `${process.env.TART_HOME ?? '~/.tart'} (APFS clones)`, image: this.image };
  }

  async launch(name: string, publicKey: string): Promise<void> {
    await run('tart', ['clone', this.image, name], { env: { ...process.env, CI: '1' } });
    const share = mkdtempSync(join(tmpdir(), 'tidepool-bench-share-'));
    writeFileSync(join(share, 'authorized_keys'), `${publicKey.trim()}\n`);
    const child = spawn('tart', ['run', name, '--no-graphics', '--dir', `${share}:ro,tag=tidepool`], { stdio: 'ignore', detached: true });
    child.unref();
    this.runs.set(name, child);
  }

  async address(name: string, timeoutMs: number): Promise<string> {
    const { stdout } = await run('tart', ['ip', name, '--wait', String(Math.ceil(timeoutMs / 1000))]);
    return stdout.trim();
  }

  async remove(name: string): Promise<void> {
    await run('tart', ['stop', name, '--timeout', '5']).catch(() => undefined);
    this.runs.get(name)?.kill();
    this.runs.delete(name);
    await run('tart', ['delete', name]);
  }

  async leftovers(prefix: string): Promise<string[]> {
    const { stdout } = await run('tart', ['list', '--source', 'local', '--quiet']);
    return stdout.split('\n').map((line) => line.trim()).filter((name) => name.startsWith(prefix));
  }
}
