/** `tidepool doctor`: is this computer ready for workspaces, and what exactly to do if not. */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { HostStatus, RuntimeInfo } from '../../../src-shared/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';
import { examples } from './lifecycle.js';
import type { Run } from './run.js';

export interface Check {
  id: string;
  title: string;
  /** `fail` makes doctor exit non-zero; `warn` is worth knowing; `info` is a runtime not used here. */
  status: 'ok' | 'info' | 'warn' | 'fail';
  detail?: string;
  /** The command that fixes it, when one does. */
  fix?: string;
}

export function registerDoctor(program: Command, run: Run): void {
  program
    .command('doctor')
    .summary('check that this computer is ready for workspaces')
    .description(
      'Check the runtime (installed and set up), the workspace image, /dev/kvm, the ssh client and the data\n' +
        'folder’s permissions, and say what to run to fix each problem. Exits non-zero if anything is missing\n' +
        `(${EXIT.runtime} when the runtime or image is the problem).`,
    )
    .addHelpText('after', examples(['tidepool doctor', 'tidepool doctor --json', 'tidepool --runtime incus doctor']))
    .action((_options: unknown, command: Command) => run(command, doctor));
}

export function setupHint(platform: string): string {
  return platform === 'darwin' ? 'brew install openai/tools/tart' : 'sudo scripts/setup-incus.sh';
}

function dataDirCheck(dataDir: string): Check {
  const title = `Data folder ${dataDir}`;
  if (!existsSync(dataDir)) return { id: 'data-dir', title, status: 'ok', detail: 'Not created yet; Tidepool makes it (owner-only) on first use.' };
  const stat = statSync(dataDir);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    return { id: 'data-dir', title, status: 'fail', detail: `It belongs to user id ${stat.uid}, not you (${uid}).`, fix: `sudo chown -R $(id -u) '${dataDir}'` };
  }
  try {
    accessSync(dataDir, constants.W_OK);
  } catch {
    return { id: 'data-dir', title, status: 'fail', detail: 'You cannot write to it.', fix: `chmod u+rwx '${dataDir}'` };
  }
  if ((stat.mode & 0o077) !== 0) {
    return {
      id: 'data-dir',
      title,
      status: 'fail',
      detail: `Other users can look inside (mode ${(stat.mode & 0o777).toString(8)}); it holds Tidepool's SSH key and login token.`,
      fix: `chmod 700 '${dataDir}'`,
    };
  }
  return { id: 'data-dir', title, status: 'ok', detail: 'Private to you.' };
}

export function runtimeChecks(status: HostStatus): Check[] {
  const checks: Check[] = [];
  const platform = status.platform;
  if (!status.selected) {
    checks.push({
      id: 'runtime',
      title: 'Runtime',
      status: 'fail',
      detail: platform === 'darwin' ? 'Tart is not installed.' : 'Incus is not set up on this computer.',
      fix: setupHint(platform),
    });
  }
  for (const info of status.runtimes) {
    const selected = info.id === status.selected;
    checks.push(runtimeCheck(info, selected));
  }
  return checks;
}

function runtimeCheck(info: RuntimeInfo, selected: boolean): Check {
  const label = `${info.displayName}${info.version ? ` ${info.version}` : ''}${selected ? ' (selected)' : ''}`;
  const missing = info.setup.filter((step) => !step.ok);
  if (!selected && !info.available) {
    // Another platform's runtime, or one not installed while another is in use: not a problem here.
    return { id: `runtime-${info.id}`, title: label, status: 'info', detail: 'Not available on this computer.' };
  }
  const problem: Check['status'] = selected ? 'fail' : 'warn';
  if (!info.available || missing.length > 0) {
    const first = missing[0];
    return {
      id: `runtime-${info.id}`,
      title: label,
      status: problem,
      detail: missing.length > 0 ? missing.map((step) => `${step.title}${step.detail ? `: ${step.detail}` : ''}`).join('; ') : 'Not available.',
      ...(first?.command ? { fix: first.command } : {}),
    };
  }
  const notes = [...(info.simulated ? ['simulated, for development: no real machines'] : []), ...info.warnings.filter((w) => !info.simulated || !w.includes('simulated'))];
  return { id: `runtime-${info.id}`, title: label, status: 'ok', ...(notes.length > 0 ? { detail: notes.join('; ') } : {}) };
}

function kvmCheck(needed: boolean): Check | null {
  if (process.platform !== 'linux') return null;
  const title = '/dev/kvm (virtual-machine workspaces)';
  if (!existsSync('/dev/kvm')) {
    return { id: 'kvm', title, status: needed ? 'fail' : 'warn', detail: 'Missing: only container workspaces can run here.', fix: 'Enable virtualisation (VT-x/AMD-V) in the firmware and load the kvm module.' };
  }
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { id: 'kvm', title, status: needed ? 'fail' : 'warn', detail: 'You cannot use it.', fix: 'sudo usermod -aG kvm $USER  (then log in again)' };
  }
  return { id: 'kvm', title, status: 'ok' };
}

function sshCheck(): Check {
  const found = spawnSync('ssh', ['-V'], { stdio: 'ignore' }).error === undefined;
  return found
    ? { id: 'ssh', title: 'ssh client (tidepool ssh)', status: 'ok' }
    : { id: 'ssh', title: 'ssh client (tidepool ssh)', status: 'warn', detail: 'Not installed.', fix: 'sudo apt install openssh-client' };
}

async function doctor(ctx: CommandContext): Promise<number> {
  const checks: Check[] = [dataDirCheck(ctx.options.dataDir)];
  const backend = await ctx.backend();
  const status = await backend.call('getHostStatus', { refresh: true });
  checks.push(...runtimeChecks(status));
  const selected = status.runtimes.find((info) => info.id === status.selected);
  if (selected && !selected.simulated && selected.available) {
    const images = await backend.call('listImages', { runtime: selected.id });
    checks.push(
      images.some((image) => image.current)
        ? { id: 'image', title: `Workspace image (${selected.displayName})`, status: 'ok', detail: images.find((image) => image.current)!.ref }
        : { id: 'image', title: `Workspace image (${selected.displayName})`, status: 'fail', detail: 'Not built yet.', fix: `tidepool --runtime ${selected.id} image build` },
    );
  }
  const settings = await backend.call('getSettings', {});
  const kvm = kvmCheck(settings.defaultKind === 'vm');
  if (kvm) checks.push(kvm);
  checks.push(sshCheck());
  checks.push({
    id: 'app',
    title: 'Tidepool app or server',
    status: 'ok',
    detail: backend.mode === 'connected' ? 'Running: the CLI goes through it.' : 'Not running: the CLI runs workspaces itself.',
  });

  const ok = checks.every((check) => check.status !== 'fail');
  if (ctx.out.json) printJson(ctx.out, { ok, checks });
  else {
    for (const check of checks) {
      const mark = { ok: '✓', info: '·', warn: '!', fail: '✗' }[check.status];
      ctx.io.stdout.write(`${mark} ${check.title}${check.detail ? `: ${check.detail}` : ''}\n`);
      if (check.fix && check.status !== 'ok') ctx.io.stdout.write(`    fix: ${check.fix}\n`);
    }
    ctx.io.stdout.write(ok ? 'Everything needed is in place.\n' : 'Fix the ✗ items above, then run tidepool doctor again.\n');
  }
  if (ok) return EXIT.ok;
  const runtimeProblem = checks.some((check) => check.status === 'fail' && (check.id.startsWith('runtime') || check.id === 'image'));
  return runtimeProblem ? EXIT.runtime : EXIT.other;
}
