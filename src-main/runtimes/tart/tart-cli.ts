/**
 * Runs the `tart` command with an explicit environment. A GUI app inherits a bare PATH
 * (`/usr/bin:/bin:/usr/sbin:/sbin`), which hides Homebrew's `tart` and, worse, the `softnet` that
 * `tart run --net-softnet` looks up on PATH; so every child gets a PATH with the Homebrew folders, a fixed
 * TART_HOME when the user chose one, and CI=1 so progress comes as plain lines instead of ANSI redraws.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { TidepoolError } from '../../../src-shared/errors.js';
import { cancelledError } from '../../util/abort.js';
import { INSTALL_TART_COMMAND } from './tart-version.js';

export const HOMEBREW_BIN_DIRS = ['/opt/homebrew/bin', '/usr/local/bin'];
const SYSTEM_BIN_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];
/** Passed through when set: who the user is, where temp files go, registry credentials for pulls. */
const INHERITED = ['HOME', 'USER', 'LOGNAME', 'TMPDIR', 'LANG', 'TART_REGISTRY_USERNAME', 'TART_REGISTRY_PASSWORD', 'TART_REGISTRY_HOSTNAME'];
const OUTPUT_LIMIT = 256 * 1024;

export interface TartEnvironmentSource {
  /** The PATH Tidepool was started with; its folders come first (tests put the fake `tart` there). */
  basePath: string | undefined;
  /** settings.tart.home: a fixed TART_HOME, or null for Tart's default (~/.tart). */
  tartHome: string | null;
  /** The environment to take HOME, USER and friends from. */
  inherited: NodeJS.ProcessEnv;
}

export interface TartResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface TartRunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Each output line as it comes (progress of a pull, for example). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Set TART_NO_AUTO_PRUNE (default). Tart's automatic pruning after a clone evicts the user's own OCI cache
   * entries; Tidepool leaves it on only when it pulls the base image, where it is Tart's way of making room.
   */
  noAutoPrune?: boolean;
}

/** The search path every Tart child gets: the caller's folders, then Homebrew's, then the system's. */
export function tartSearchPath(basePath: string | undefined): string {
  const entries = [...(basePath ?? '').split(delimiter), ...HOMEBREW_BIN_DIRS, ...SYSTEM_BIN_DIRS].filter(Boolean);
  return [...new Set(entries)].join(delimiter);
}

export function tartEnvironment(source: TartEnvironmentSource, noAutoPrune = true): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = source.inherited[key];
    if (value) env[key] = value;
  }
  env.HOME ??= homedir();
  env.PATH = tartSearchPath(source.basePath);
  env.CI = '1';
  // An explicit TART_HOME only when the user set one: a TART_HOME in Tidepool's own environment (a terminal
  // launch) is ignored so the GUI and the terminal see the same VMs.
  if (source.tartHome) env.TART_HOME = source.tartHome;
  if (noAutoPrune) env.TART_NO_AUTO_PRUNE = '1';
  return env;
}

/** The first executable regular file called `name` on `searchPath`, as Tart itself resolves `softnet`. */
export function findExecutable(name: string, searchPath: string): string | null {
  for (const folder of searchPath.split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking.
    }
  }
  return null;
}

export function tartMissingError(): TidepoolError {
  return new TidepoolError({
    code: 'RUNTIME_UNAVAILABLE',
    message: 'Tart is not installed (no `tart` command was found).',
    hint: `Install it with \`${INSTALL_TART_COMMAND}\`, then check again.`,
  });
}

export class TartCli {
  constructor(private readonly source: () => TartEnvironmentSource) {}

  env(noAutoPrune = true): Record<string, string> {
    return tartEnvironment(this.source(), noAutoPrune);
  }

  /** Absolute path of `tart`, or null when it is not installed. */
  locate(): string | null {
    return findExecutable('tart', tartSearchPath(this.source().basePath));
  }

  /** Runs `tart <args>` to completion. Throws only for a missing `tart`, cancellation or the timeout. */
  async run(args: string[], options: TartRunOptions = {}): Promise<TartResult> {
    const tart = this.locate();
    if (!tart) throw tartMissingError();
    if (options.signal?.aborted) throw cancelledError();
    const lines = (stream: 'stdout' | 'stderr') =>
      function* (line: unknown) {
        const text = String(line);
        if (text.trim()) options.onLine?.(text, stream);
        yield text;
      };
    const result = await execa(tart, args, {
      env: this.env(options.noAutoPrune ?? true),
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      stripFinalNewline: false,
      maxBuffer: OUTPUT_LIMIT,
      forceKillAfterDelay: 2000,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      ...(options.onLine ? { stdout: lines('stdout'), stderr: lines('stderr') } : {}),
    });
    if (result.isCanceled) throw cancelledError();
    if (result.timedOut) {
      throw new TidepoolError({
        code: 'TIMEOUT',
        message: `Tart did not finish \`tart ${args[0] ?? ''}\` within ${Math.round(options.timeoutMs! / 1000)} s.`,
        hint: 'Check that the Mac is not overloaded, then try again.',
      });
    }
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      if ((result as { code?: string }).code === 'ENOENT') throw tartMissingError();
      throw new TidepoolError({ code: 'RUNTIME_ERROR', message: 'Tidepool could not run Tart.', detail: result.message });
    }
    const text = (value: unknown): string => (Array.isArray(value) ? value.join('\n') : String(value ?? ''));
    return {
      exitCode: result.exitCode ?? null,
      signal: (result.signal as NodeJS.Signals | undefined) ?? null,
      stdout: text(result.stdout),
      stderr: text(result.stderr),
    };
  }

  /**
   * Starts a long-lived `tart <args>` in its own session, its output going to `logFd` (a file: a pipe that
   * closes would SIGPIPE `tart run` and kill the VM with it). The caller unrefs it.
   */
  spawnDetached(args: string[], logFd: number): ChildProcess {
    const tart = this.locate();
    if (!tart) throw tartMissingError();
    return spawn(tart, args, { env: this.env(), stdio: ['ignore', logFd, logFd], detached: true });
  }
}
