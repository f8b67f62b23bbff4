/**
 * The long-lived `tart run` child. Tart has no detach mode: the VM lives exactly as long as this process.
 * It runs in its own session (Ctrl-C in Tidepool's terminal does not reach it), unref'd (Tidepool may quit
 * and leave the VM running), with stdout and stderr appended to a log file: SIGPIPE from a closed pipe
 * would kill it, and the VM with it.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import type { TartCli } from './tart-cli.js';

export interface RunExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunHandle {
  vm: string;
  /** The arguments after `tart`. */
  args: string[];
  pid: number;
  logPath: string;
  /** Where this run's output begins in the log. */
  logOffset: number;
  /** Resolves when the process ends. */
  exited: Promise<RunExit>;
  /** Set once it has ended. */
  exit: RunExit | null;
}

export function startRunProcess(cli: TartCli, vm: string, args: string[], log: { path: string; offset: number }): RunHandle {
  const fd = openSync(log.path, 'a', 0o600);
  let offset = log.offset;
  try {
    const header = `--- ${new Date().toISOString()} tart ${args.join(' ')}\n`;
    writeSync(fd, header);
    offset += Buffer.byteLength(header);
    const child = cli.spawnDetached(args, fd);
    const handle: RunHandle = {
      vm,
      args,
      pid: child.pid ?? -1,
      logPath: log.path,
      logOffset: offset,
      exit: null,
      exited: new Promise((resolve) => {
        const done = (exit: RunExit): void => {
          handle.exit ??= exit;
          resolve(handle.exit);
        };
        child.once('exit', (code, signal) => done({ code, signal }));
        child.once('error', () => done({ code: null, signal: null }));
      }),
    };
    child.unref();
    return handle;
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines a run wrote to its log (from its own start on). */
export function readLogTail(path: string, offset: number, lines = 20): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(path).size;
    const start = Math.max(offset, size - 64 * 1024);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    readSync(fd, buffer, 0, buffer.length, start);
    return buffer.toString('utf8').split(/\r?\n/).filter((line) => line.trim()).slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The PID of the `tart run <vm>` process, found by its command line: after Tidepool restarts, the VM's run
 * process is no longer its child. (The Homebrew `tart` wrapper execs the real binary, so the PID is Tart's.)
 */
export function findRunPid(vm: string, env: Record<string, string>): Promise<number | null> {
  const pattern = new RegExp(`(^|\\s)run\\s+${escapeRegExp(vm)}(\\s|$)`);
  return new Promise((resolve) => {
    const child = spawn('ps', ['-A', '-o', 'pid=', '-o', 'args='], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', () => resolve(null));
    child.on('close', () => {
      for (const line of output.split('\n')) {
        const match = /^\s*(\d+)\s+(.*)$/.exec(line);
        if (!match) continue;
        const pid = Number(match[1]);
        const command = match[2]!;
        if (pid !== process.pid && /tart/.test(command) && pattern.test(command)) {
          resolve(pid);
          return;
        }
      }
      resolve(null);
    });
  });
}
