/** Starts `tidepool serve` from source as a user would, on a fresh data folder, and stops it again. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'src-main', 'cli', 'main.ts');

export interface Served {
  origin: string;
  loginUrl: string;
  dataDir: string;
  /** Everything serve printed on stderr, for failures. */
  output(): string;
  /** Runs a `tidepool` command against the same data folder (it goes through the server's socket). */
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** `auto`: no --runtime flag, and no simulated runtime, so Tidepool picks from what this computer has. */
  runtime: 'simulated' | 'incus' | 'auto';
  env?: NodeJS.ProcessEnv;
  /** Writes files into the fresh data folder before serve starts (settings, a simulated runtime's state). */
  prepare?: (dataDir: string) => void;
}

function env(options: ServeOptions): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete base.DISPLAY;
  delete base.WAYLAND_DISPLAY;
  if (options.runtime === 'simulated') base.TIDEPOOL_SIMULATED = '1';
  else delete base.TIDEPOOL_SIMULATED;
  return base;
}

export async function startServe(options: ServeOptions): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), `tidepool-e2e-${options.runtime}-`));
  options.prepare?.(dataDir);
  const runtimeFlag = options.runtime === 'auto' ? [] : ['--runtime', options.runtime];
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, '--data-dir', dataDir, ...runtimeFlag, '--json', 'serve', '--port', '0'],
    { cwd: ROOT, env: env(options), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const started = await new Promise<{ origin: string; loginUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tidepool serve did not start within 60 s:\n${stderr}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      try {
        const parsed = JSON.parse(stdout) as { origin: string; loginUrl: string };
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        // Not all of it yet.
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tidepool serve exited (${code}):\n${stderr}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    ...started,
    dataDir,
    output: () => stderr,
    cli: (args) =>
      new Promise((resolve, reject) => {
        const run = spawn(process.execPath, ['--import', 'tsx', CLI, '--data-dir', dataDir, ...args], {
          cwd: ROOT,
          env: env(options),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        run.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
        run.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
        run.once('error', reject);
        run.once('close', (code) => resolve({ code, stdout: out, stderr: err }));
      }),
    stop: async () => {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
