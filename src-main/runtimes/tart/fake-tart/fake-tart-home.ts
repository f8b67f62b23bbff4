/**
 * Sets up the fake `tart` (a test double, see tart.mjs) for a test: a temp TART_HOME, a bin folder with
 * `tart`, `softnet` and `sudo` doubles, the control file and the recorded invocations.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface FakeTartControl {
  version?: string;
  softnet?: 'sudo' | 'needs-root';
  ipDelayMs?: number;
  guestIgnoresPowerButton?: boolean;
  guestShutdownMs?: number;
  fail?: {
    run?: 'early-exit' | 'vz-error' | 'already-running';
    clone?: 'disk-full';
    pull?: 'not-found';
    list?: 'malformed' | 'wrong-shape';
    get?: 'malformed' | 'wrong-shape';
    ip?: 'never';
  };
}

export interface Invocation {
  argv: string[];
  env: { CI: string | null; TART_NO_AUTO_PRUNE: string | null; TART_HOME: string | null; PATH: string | null };
}

export interface FakeTart {
  /** TART_HOME of the fake (also where the control file and the invocation log live). */
  home: string;
  /** PATH for Tidepool: the doubles first, then node's folder (for the `#!/usr/bin/env node` line). */
  path: string;
  control(control: FakeTartControl): void;
  invocations(): Invocation[];
  /** The argv of every invocation, `tart` left out. */
  argvs(): string[][];
  clearInvocations(): void;
  /** Runs the fake directly, as a user at a terminal would (not recorded as Tidepool's). */
  tart(...args: string[]): { status: number | null; stdout: string; stderr: string };
  /** The PID of a VM's fake `tart run`, if it runs. */
  runPid(vm: string): number | null;
  /** What the guest would see at the root of each virtiofs tag of the running VM. */
  shares(vm: string): Record<string, { readOnly: boolean; root: string[] }>;
  cleanup(): void;
}

export function makeFakeTart(options: { tart?: boolean; softnet?: boolean } = {}): FakeTart {
  const root = mkdtempSync(join(tmpdir(), 'tidepool-fake-tart-'));
  const home = join(root, 'tart-home');
  const bin = join(root, 'bin');
  mkdirSync(home);
  mkdirSync(bin);
  if (options.tart ?? true) symlinkSync(join(HERE, 'tart.mjs'), join(bin, 'tart'));
  if (options.softnet ?? true) symlinkSync(join(HERE, 'softnet.mjs'), join(bin, 'softnet'));
  symlinkSync(join(HERE, 'sudo.mjs'), join(bin, 'sudo'));
  const path = [bin, dirname(process.execPath)].join(delimiter);
  const invocationsFile = join(home, 'fake-invocations.jsonl');
  const runFile = (vm: string) => join(home, 'vms', vm, '.fake-run.json');
  const readRun = (vm: string): { pid: number; shares: Record<string, { readOnly: boolean; root: string[] }> } | null =>
    existsSync(runFile(vm)) ? JSON.parse(readFileSync(runFile(vm), 'utf8')) : null;
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const fake: FakeTart = {
    home,
    path,
    control: (control) => writeFileSync(join(home, 'fake-control.json'), JSON.stringify(control)),
    invocations: () =>
      existsSync(invocationsFile)
        ? readFileSync(invocationsFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as Invocation)
        : [],
    argvs: () => fake.invocations().map((invocation) => invocation.argv),
    clearInvocations: () => rmSync(invocationsFile, { force: true }),
    tart: (...args) => {
      const before = existsSync(invocationsFile) ? readFileSync(invocationsFile, 'utf8') : '';
      const result = spawnSync(join(HERE, 'tart.mjs'), args, {
        env: { PATH: `${path}${delimiter}/usr/bin${delimiter}/bin`, TART_HOME: home, HOME: root },
        encoding: 'utf8',
      });
      writeFileSync(invocationsFile, before);
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    runPid: (vm) => {
      const run = readRun(vm);
      return run && alive(run.pid) ? run.pid : null;
    },
    shares: (vm) => readRun(vm)?.shares ?? {},
    cleanup: () => {
      const vms = join(home, 'vms');
      for (const vm of existsSync(vms) ? readdirSync(vms) : []) {
        const pid = fake.runPid(vm);
        if (pid) process.kill(pid, 'SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
  return fake;
}

/** An `images/` folder with a small recipe (tests must not depend on the real recipe's contents). */
export function makeImagesDir(version = '0.1.0', baseImage = 'ghcr.io/cirruslabs/debian:trixie'): string {
  const images = mkdtempSync(join(tmpdir(), 'tidepool-images-'));
  mkdirSync(join(images, 'recipe'));
  writeFileSync(join(images, 'recipe', 'versions.env'), `# test recipe\nTIDEPOOL_IMAGE_VERSION=${version}\nTART_BASE_IMAGE=${baseImage}\n`);
  writeFileSync(join(images, 'recipe', 'provision.sh'), '#!/usr/bin/env bash\necho provision\n');
  writeFileSync(join(images, 'recipe', 'README.md'), 'not uploaded\n');
  return images;
}
