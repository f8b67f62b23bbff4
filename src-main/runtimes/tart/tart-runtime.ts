/**
 * Workspaces as Tart VMs (macOS on Apple silicon). Every VM is an APFS clone of the local Tidepool image,
 * runs under a detached `tart run --no-graphics --net-softnet …` whose output goes to a log file, and is
 * observed only through Tart's JSON (`tart list`/`tart get`): Tart derives "running" from a lock held by
 * the run process, so its JSON is the truth, and `tart ip` is asked only about a running VM (its DHCP
 * lookup happily returns a stopped VM's old lease).
 */
import { join } from 'node:path';
import { TidepoolError } from '../../../src-shared/errors.js';
import type {
  ImageInfo,
  NetworkPolicy,
  RuntimeCapabilities,
  RuntimeInfo,
  Settings,
  SetupStep,
} from '../../../src-shared/workspace.js';
import { cancelledError, sleep } from '../../util/abort.js';
import { INSTANCE_PREFIX } from '../../workspaces/workspace-service.js';
import type {
  ConfigureSettings,
  DeleteOptions,
  InstanceSpec,
  InstanceState,
  InstanceStatus,
  InstanceSummary,
  OperationContext,
  Runtime,
  StopOptions,
} from '../runtime.js';
import { checkLocalNetworkAccess } from './local-network.js';
import { findImagesDir, IMAGE_PREFIX, imageVersionOf } from './recipe.js';
import { findRunPid, isAlive, readLogTail, startRunProcess, type RunHandle } from './run-process.js';
import { checkSoftnet, softnetFlags, softnetSuidCommand, type SoftnetSetup } from './softnet.js';
import { TartCli, tartMissingError, type TartResult, type TartRunOptions } from './tart-cli.js';
import { INSTALL_SOFTNET_COMMAND, tartFailure, tartSays, type TartFailureContext } from './tart-errors.js';
import { assertVmName, TartFiles } from './tart-files.js';
import { parseTartGet, parseTartList, type TartListEntry, type TartVmInfo } from './tart-json.js';
import {
  INSTALL_TART_COMMAND,
  isOlderThan,
  MIN_TART_VERSION,
  parseTartVersion,
  UPGRADE_TART_COMMAND,
  type TartVersion,
} from './tart-version.js';

export interface TartTimings {
  /** How often Tart's JSON is polled while waiting for a state. */
  pollMs: number;
  /** How long `tart run` gets to take the VM's lock (boot proper is waited for by `tart ip` and SSH). */
  bootMs: number;
  /** `tart stop --timeout`: seconds between the hard stop (SIGINT) and SIGKILL. */
  hardStopSeconds: number;
  /**
   * How long a run must stay up after Tart first reports it running: Tart takes the VM's lock before it
   * starts Softnet and the VM, so a Softnet or VZ failure shows up just after "running".
   */
  settleMs: number;
}

export interface TartRuntimeOptions {
  dataDir: string;
  settings: () => Settings;
  platform?: string;
  arch?: string;
  /** PATH to build the children's PATH from (default: this process's). */
  basePath?: string;
  /** Environment to take HOME, USER and registry credentials from (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** The `images/` folder with the recipe (default: found next to the app). */
  imagesDir?: string | null;
  timings?: Partial<TartTimings>;
  /** Replaces the Local Network probe run on macOS once a VM has an address (tests). */
  checkLocalNetwork?: (address: string) => Promise<void>;
}

const DEFAULT_TIMINGS: TartTimings = { pollMs: 500, bootMs: 60_000, hardStopSeconds: 10, settleMs: 1500 };
const GB_PER_GIB = 1.073741824;
const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;

function mapState(state: string): InstanceStatus {
  if (state === 'running' || state === 'stopped' || state === 'suspended') return { state };
  return { state: 'error', detail: `Tart reports the state "${state}".` };
}

function sameNetwork(a: NetworkPolicy, b: NetworkPolicy): boolean {
  return softnetFlags(a).args.join(' ') === softnetFlags(b).args.join(' ');
}

export class TartRuntime implements Runtime {
  readonly id = 'tart' as const;
  readonly displayName = 'Tart';
  readonly cli: TartCli;
  readonly files: TartFiles;
  readonly imagesDir: string | null;
  private readonly timings: TartTimings;
  private readonly runs = new Map<string, RunHandle>();
  private readonly stopping = new Set<string>();
  /** Softnet flags of runs this Tidepool started and that configure() has not seen yet. */
  private readonly freshRuns = new Map<string, string>();
  private readonly addresses = new Map<string, string>();
  private checkedVersion: { path: string; version: TartVersion } | null = null;

  constructor(private readonly options: TartRuntimeOptions) {
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.imagesDir = options.imagesDir === undefined ? findImagesDir() : options.imagesDir;
    this.files = new TartFiles(join(options.dataDir, 'tart'));
    this.cli = new TartCli(() => ({
      basePath: options.basePath ?? process.env.PATH,
      tartHome: options.settings().tart.home,
      inherited: options.env ?? process.env,
    }));
  }

  private get platform(): string {
    return this.options.platform ?? process.platform;
  }

  // ---- presence and set-up ------------------------------------------------------------------------

  async inspect(): Promise<RuntimeInfo> {
    const warnings: string[] = [];
    const arch = this.options.arch ?? process.arch;
    if (this.platform !== 'darwin') {
      warnings.push('Tart runs VMs on macOS only; on this computer Tidepool uses whatever `tart` it finds on PATH, as is.');
    } else if (arch !== 'arm64') {
      warnings.push('Tart runs the Linux workspace image on Apple silicon only; this Mac has an Intel processor.');
    }
    if (!this.imagesDir) warnings.push('The image recipe (images/recipe) is not part of this installation, so the Tart image cannot be built.');
    const info = (available: boolean, version: string | null, setup: SetupStep[]): Promise<RuntimeInfo> =>
      this.capabilities().then((capabilities) => ({
        id: this.id,
        displayName: this.displayName,
        available,
        simulated: false,
        version,
        capabilities,
        setup,
        warnings,
      }));
    if (!this.cli.locate()) {
      return info(false, null, [
        { id: 'tart', title: 'Install Tart', ok: false, detail: 'Tart runs the workspace VMs on macOS.', command: INSTALL_TART_COMMAND },
      ]);
    }
    const version = await this.readVersion();
    const tooOld = isOlderThan(version);
    if (!version.parts) warnings.push(`Tart calls itself “${version.raw}” (a development build?); Tidepool assumes it is recent.`);
    const setup: SetupStep[] = [
      tooOld
        ? {
            id: 'tart',
            title: 'Upgrade Tart',
            ok: false,
            detail: `Tart ${version.raw} is installed; Tidepool needs ${MIN_TART_VERSION} or later (the first with --net-softnet-block).`,
            command: UPGRADE_TART_COMMAND,
          }
        : { id: 'tart', title: 'Install Tart', ok: true },
      softnetStep(await checkSoftnet(this.cli.env())),
    ];
    return info(!tooOld, version.raw, setup);
  }

  async capabilities(): Promise<RuntimeCapabilities> {
    return {
      kinds: {
        vm: { available: true },
        container: { available: false, reason: 'Tart runs virtual machines only; containers need Incus.' },
      },
      // Tart can only suspend macOS guests: its SIGUSR1 handler kills a Linux VM instead.
      suspend: false,
      snapshots: false,
      stats: false,
      networkAllowList: true,
      separateHome: false,
    };
  }

  defaultImage(): string {
    return `${IMAGE_PREFIX}${imageVersionOf(this.imagesDir)}`;
  }

  /** Local `tidepool-<version>` VMs: the baked images workspaces clone from. */
  async images(): Promise<ImageInfo[]> {
    const current = this.defaultImage();
    return (await this.listLocal())
      .filter((entry) => entry.Name.startsWith(IMAGE_PREFIX) && !entry.Name.startsWith(`${IMAGE_PREFIX}build-`))
      .map((entry) => ({
        runtime: this.id,
        ref: entry.Name,
        version: entry.Name.slice(IMAGE_PREFIX.length),
        current: entry.Name === current,
        sizeBytes: entry.Size * 1e9,
        createdAt: this.files.imageRecord(entry.Name)?.builtAt ?? null,
      }));
  }

  /** Refuses to go on without a `tart` that knows every flag Tidepool passes. */
  async requireTart(): Promise<void> {
    const path = this.cli.locate();
    if (!path) throw tartMissingError();
    if (this.checkedVersion?.path === path) return;
    const version = await this.readVersion();
    if (isOlderThan(version)) {
      throw new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: `Tart ${version.raw} is too old for Tidepool, which needs ${MIN_TART_VERSION} or later.`,
        hint: `Upgrade it with \`${UPGRADE_TART_COMMAND}\`, then try again.`,
      });
    }
    this.checkedVersion = { path, version };
  }

  private async readVersion(): Promise<TartVersion> {
    const result = await this.cli.run(['--version'], { timeoutMs: 15_000 });
    if (result.exitCode !== 0) throw tartFailure(['--version'], result, { action: 'report its version' });
    return parseTartVersion(result.stdout);
  }

  // ---- commands ----------------------------------------------------------------------------------

  /** Runs a tart command and throws its typed error unless it succeeded. */
  async tart(args: string[], context: TartFailureContext, options: TartRunOptions = {}): Promise<TartResult> {
    const result = await this.cli.run(args, options);
    if (result.exitCode !== 0) throw tartFailure(args, result, context);
    return result;
  }

  async listLocal(): Promise<TartListEntry[]> {
    const result = await this.tart(['list', '--source', 'local', '--format', 'json'], { action: 'list its VMs' }, { timeoutMs: 60_000 });
    return parseTartList(result.stdout).filter((entry) => entry.Source === 'local');
  }

  /** `tart get`, or null when the VM does not exist. */
  async vmInfo(vm: string): Promise<TartVmInfo | null> {
    const args = ['get', vm, '--format', 'json'];
    const result = await this.cli.run(args, { timeoutMs: 60_000 });
    if (result.exitCode === 0) return parseTartGet(result.stdout);
    if (result.exitCode === 2 && tartSays.vmMissing(result.stderr)) return null;
    throw tartFailure(args, result, { action: `read the state of ${vm}`, vm });
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  async create(spec: InstanceSpec, ctx: OperationContext): Promise<void> {
    await this.requireTart();
    const vm = spec.instanceName;
    assertVmName(vm);
    if (spec.kind !== 'vm') {
      throw new TidepoolError({ code: 'INVALID_INPUT', message: 'Tart runs virtual machines only; choose the VM kind.' });
    }
    const local = await this.listLocal();
    // `tart clone` silently replaces an existing VM of the same name: never let it.
    if (local.some((entry) => entry.Name === vm)) {
      throw new TidepoolError({
        code: 'ALREADY_EXISTS',
        message: `Tart already has a VM named ${vm}, and Tidepool will not replace it.`,
        hint: `Pick another workspace name, or remove that VM with \`tart delete ${vm}\` if nothing in it is needed.`,
      });
    }
    if (!local.some((entry) => entry.Name === spec.image)) {
      throw new TidepoolError({
        code: 'IMAGE_MISSING',
        message: `The workspace image ${spec.image} is not in Tart yet.`,
        hint: 'Build it once with `tidepool image build --runtime tart` (or from the onboarding screen).',
      });
    }
    this.files.prepare(
      vm,
      { workspaceId: spec.workspaceId, workspaceName: spec.workspaceName, network: spec.network },
      spec.sshPublicKey,
      spec.workspaceName,
    );
    try {
      ctx.progress(`Cloning ${spec.image}`);
      await this.tart(['clone', spec.image, vm], { action: `clone ${spec.image} to ${vm}`, vm, image: spec.image }, {
        signal: ctx.signal,
        timeoutMs: 30 * 60_000,
        onLine: (line) => ctx.log(`tart clone: ${line}`),
      });
      ctx.log(`cloned ${spec.image} to ${vm}`);
    } catch (error) {
      this.files.remove(vm);
      throw error;
    }
    try {
      const info = await this.vmInfo(vm);
      const args = ['set', vm, '--cpu', String(spec.resources.cpus), '--memory', String(spec.resources.memoryMiB), '--random-mac'];
      const diskGB = Math.ceil(spec.resources.diskGiB * GB_PER_GIB);
      // Disks only grow; a size at or below the image's stays as it is.
      if (info && diskGB > info.Disk) args.push('--disk-size', String(diskGB));
      else ctx.log(`disk stays at the image's ${info?.Disk ?? '?'} GB (disks can only grow)`);
      await this.tart(args, { action: `configure ${vm}`, vm }, { signal: ctx.signal, timeoutMs: 5 * 60_000 });
      ctx.log(`set ${vm} to ${spec.resources.cpus} CPUs, ${spec.resources.memoryMiB} MiB, a new MAC address${args.includes('--disk-size') ? `, ${diskGB} GB disk` : ''}`);
    } catch (error) {
      // Leave nothing half-made behind.
      await this.cli.run(['delete', vm], { timeoutMs: 60_000 }).catch(() => undefined);
      this.files.remove(vm);
      throw error;
    }
  }

  async start(vm: string, ctx: OperationContext): Promise<void> {
    await this.requireTart();
    const info = await this.vmInfo(vm);
    if (!info) throw vmGone(vm);
    if (info.State === 'running') {
      ctx.log(`${vm} is already running`);
      return;
    }
    // A VM without Tidepool's marks (an adopted one) runs isolated and without the key share.
    const marks = this.files.readMarks(vm);
    const flags = softnetFlags(marks?.network ?? { mode: 'isolated' });
    for (const note of flags.notes) ctx.log(`network allow-list: ${note}`, 'warn');
    const args = ['run', vm, '--no-graphics', ...flags.args];
    if (marks) args.push('--dir', this.files.shareArgument(vm));
    ctx.progress('Starting the VM');
    await this.launch(vm, args, this.files.openRunLog(vm), ctx);
    this.freshRuns.set(vm, flags.args.join(' '));
  }

  /** Boots the image bake's build VM: plain NAT (the recipe needs the internet, not isolation). */
  async startBuildVm(vm: string, ctx: OperationContext): Promise<void> {
    await this.launch(vm, ['run', vm, '--no-graphics'], this.files.openBakeLog(), ctx);
  }

  /** Starts `tart run` detached and waits until Tart reports the VM running. */
  private async launch(vm: string, args: string[], log: { path: string; offset: number }, ctx: OperationContext): Promise<void> {
    const run = startRunProcess(this.cli, vm, args, log);
    this.runs.set(vm, run);
    ctx.log(`started \`tart ${args.join(' ')}\` (pid ${run.pid}), output in ${run.logPath}`);
    try {
      await this.waitUntilRunning(vm, run, ctx.signal);
    } catch (error) {
      if (!run.exit) {
        // Never leave a VM half-started behind a failed or cancelled start.
        signalProcess(run.pid, 'SIGINT');
        await Promise.race([run.exited, sleep(this.timings.hardStopSeconds * 1000)]);
      }
      throw error;
    }
  }

  private async waitUntilRunning(vm: string, run: RunHandle, signal: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.timings.bootMs;
    for (;;) {
      if (signal.aborted) throw cancelledError();
      if (run.exit) throw await this.earlyExit(vm, run);
      const info = await this.vmInfo(vm);
      if (!info) throw vmGone(vm);
      if (info.State === 'running') {
        await Promise.race([sleep(this.timings.settleMs, signal), run.exited]);
        if (run.exit) throw await this.earlyExit(vm, run);
        return;
      }
      if (Date.now() >= deadline) {
        const tail = readLogTail(run.logPath, run.logOffset);
        throw new TidepoolError({
          code: 'TIMEOUT',
          message: `Tart did not bring up ${vm} within ${Math.round(this.timings.bootMs / 1000)} s.`,
          hint: 'Check that the Mac has free memory, then start the workspace again.',
          detail: tail ? `tart run output: ${tail}` : 'tart run printed nothing.',
        });
      }
      await Promise.race([sleep(this.timings.pollMs, signal), run.exited]);
    }
  }

  /** The error for a `tart run` that ended on its own: Tart's message and the tail of its log. */
  private async earlyExit(vm: string, run: RunHandle): Promise<TidepoolError> {
    const tail = readLogTail(run.logPath, run.logOffset) || '(tart run printed nothing)';
    const exit = run.exit ?? { code: null, signal: null };
    let softnetCommand: string | undefined;
    if (tartSays.softnetNeedsRoot(tail) || tartSays.softnetDied(tail)) {
      const setup = await checkSoftnet(this.cli.env());
      softnetCommand = setup.command ?? (setup.resolvedPath ? softnetSuidCommand(setup.resolvedPath) : undefined);
    }
    const error = tartFailure(run.args, { exitCode: exit.code, signal: exit.signal, stdout: '', stderr: tail }, {
      action: `start the VM ${vm}`,
      vm,
      ...(softnetCommand ? { softnetCommand } : {}),
    });
    if (error.code !== 'RUNTIME_ERROR' || error.message !== `Tart could not start the VM ${vm}.`) return error;
    return new TidepoolError({
      code: 'RUNTIME_ERROR',
      message: `Tart stopped ${vm} right after starting it.`,
      hint: 'The details end with the last lines Tart printed; the full output is in the Logs tab.',
      ...(error.detail !== undefined ? { detail: error.detail } : {}),
    });
  }

  async status(vm: string): Promise<InstanceStatus> {
    const info = await this.vmInfo(vm);
    if (!info) return { state: 'missing' };
    const status = mapState(info.State);
    const run = this.runs.get(vm);
    if (status.state === 'stopped' && run && !run.exit) return { state: 'starting' };
    if (status.state === 'running' && this.stopping.has(vm)) return { state: 'stopping' };
    return status;
  }

  async getIp(vm: string, ctx: OperationContext, timeoutMs: number): Promise<string | null> {
    await this.requireTart();
    const before = await this.status(vm);
    if (before.state === 'missing') throw vmGone(vm);
    // A stopped VM can still have an unexpired DHCP lease, which `tart ip` would return.
    if (before.state !== 'running' && before.state !== 'starting') return null;
    const run = this.runs.get(vm);
    const args = ['ip', vm, '--wait', String(Math.min(65_535, Math.max(1, Math.ceil(timeoutMs / 1000))))];
    ctx.progress('Waiting for the VM to get an address');
    const lookupDone = new AbortController();
    const lookup = this.cli.run(args, { signal: AbortSignal.any([ctx.signal, lookupDone.signal]), timeoutMs: timeoutMs + 30_000 });
    const outcome = run && !run.exit ? await Promise.race([lookup, run.exited.then(() => 'exited' as const)]) : await lookup;
    if (outcome === 'exited') {
      // The VM is gone: end the lookup too instead of letting it wait out --wait.
      lookup.catch(() => undefined);
      lookupDone.abort();
      throw await this.earlyExit(vm, run!);
    }
    if (outcome.exitCode !== 0) {
      if (run?.exit) throw await this.earlyExit(vm, run);
      if (tartSays.noAddress(outcome.stderr)) return null;
      throw tartFailure(args, outcome, { action: `find the address of ${vm}`, vm });
    }
    const address = outcome.stdout.trim().split('\n')[0]?.trim() ?? '';
    if (!IPV4.test(address)) {
      throw new TidepoolError({
        code: 'RUNTIME_ERROR',
        message: `Tart answered \`tart ip ${vm}\` with something that is not an address.`,
        hint: `Tidepool needs Tart ${MIN_TART_VERSION} or later: run \`${UPGRADE_TART_COMMAND}\`.`,
        detail: outcome.stdout.trim(),
      });
    }
    const after = await this.status(vm);
    if (after.state !== 'running') {
      if (run?.exit) throw await this.earlyExit(vm, run);
      return null;
    }
    if (this.platform === 'darwin') {
      await (this.options.checkLocalNetwork ?? ((target: string) => checkLocalNetworkAccess(target, { platform: this.platform })))(address);
    }
    this.addresses.set(vm, address);
    return address;
  }

  /**
   * Graceful first: SIGUSR2 to the `tart run` process makes Tart call requestStop(), a press of the VM's
   * power button, which systemd-logind in the guest turns into a clean poweroff. (An SSH `poweroff` would do
   * the same, but SSH belongs to the guest layer, which has already detached when the runtime is asked to
   * stop.) Then wait for the run process to end; only after the timeout `tart stop`, which is a hard
   * power-off (SIGINT, then SIGKILL after --timeout).
   */
  async stop(vm: string, ctx: OperationContext, options: StopOptions = {}): Promise<void> {
    await this.requireTart();
    const status = await this.status(vm);
    if (status.state === 'missing' || status.state === 'stopped') return;
    this.stopping.add(vm);
    try {
      const run = this.runs.get(vm);
      if (status.state === 'starting' && run && !run.exit) {
        // Not locked yet, so `tart stop` would say "not running": interrupt the run process itself.
        signalProcess(run.pid, 'SIGINT');
        await this.waitStopped(vm, run.pid, this.timings.hardStopSeconds * 1000 + 5000, ctx.signal);
        return;
      }
      const pid = run && !run.exit ? run.pid : await findRunPid(vm, this.cli.env());
      if (!options.force) {
        const timeoutMs = options.timeoutMs ?? 30_000;
        if (pid) {
          ctx.progress('Shutting down the guest');
          // A failed signal means the run process has just ended on its own: the wait below sees that at once.
          if (signalProcess(pid, 'SIGUSR2')) ctx.log(`asked ${vm} to shut down (power button via SIGUSR2 to tart run, pid ${pid})`);
          if (await this.waitStopped(vm, pid, timeoutMs, ctx.signal)) {
            ctx.log(`${vm} shut down`);
            return;
          }
          ctx.log(`${vm} did not shut down within ${Math.round(timeoutMs / 1000)} s; powering it off`, 'warn');
        } else {
          ctx.log(`could not find the tart run process of ${vm}; powering it off`, 'warn');
        }
      }
      ctx.progress('Powering off');
      const args = ['stop', vm, '--timeout', String(this.timings.hardStopSeconds)];
      const result = await this.cli.run(args, { timeoutMs: (this.timings.hardStopSeconds + 60) * 1000 });
      if (result.exitCode !== 0 && !tartSays.notRunning(result.stderr) && !tartSays.vmMissing(result.stderr)) {
        throw tartFailure(args, result, { action: `stop ${vm}`, vm });
      }
      ctx.log(`powered off ${vm} with \`tart stop\``);
      await this.waitStopped(vm, pid, 15_000, ctx.signal);
    } finally {
      this.stopping.delete(vm);
      this.addresses.delete(vm);
    }
  }

  /** Waits until the run process has ended and Tart no longer reports the VM running. */
  private async waitStopped(vm: string, pid: number | null, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!pid || !isAlive(pid)) {
        const info = await this.vmInfo(vm);
        if (!info || info.State !== 'running') return true;
      }
      if (Date.now() >= deadline) return false;
      await sleep(Math.min(this.timings.pollMs, 250), signal);
    }
  }

  async delete(vm: string, ctx: OperationContext, _options?: DeleteOptions): Promise<void> {
    await this.requireTart();
    const status = await this.status(vm);
    if (status.state === 'running' || status.state === 'starting' || status.state === 'stopping') {
      await this.stop(vm, ctx, { timeoutMs: 30_000 });
    }
    if (status.state !== 'missing') {
      const args = ['delete', vm];
      const result = await this.cli.run(args, { timeoutMs: 5 * 60_000 });
      if (result.exitCode !== 0 && !tartSays.vmMissing(result.stderr)) throw tartFailure(args, result, { action: `delete ${vm}`, vm });
      ctx.log(`deleted the Tart VM ${vm}`);
    }
    this.files.remove(vm);
    this.runs.delete(vm);
    this.freshRuns.delete(vm);
  }

  async list(): Promise<InstanceSummary[]> {
    return (await this.listLocal())
      .map((entry) => ({ entry, marks: this.files.readMarks(entry.Name) }))
      .filter(({ entry, marks }) => marks !== null || entry.Name.startsWith(INSTANCE_PREFIX))
      .map(({ entry, marks }) => ({
        instanceName: entry.Name,
        state: mapState(entry.State).state as InstanceState,
        workspaceId: marks?.workspaceId ?? null,
        workspaceName: marks?.workspaceName ?? null,
      }));
  }

  /**
   * Softnet's rules are fixed when `tart run` starts. A run this Tidepool started moments ago (the guest is
   * not attached yet) is restarted at once with the new allow-list; a VM that was already running keeps
   * its rules until it next starts, and the log says so.
   */
  async configure(vm: string, settings: ConfigureSettings, ctx: OperationContext): Promise<void> {
    const wanted = softnetFlags(settings.network).args.join(' ');
    const previous = this.files.readMarks(vm)?.network;
    this.files.writeNetwork(vm, settings.network);
    const fresh = this.freshRuns.get(vm);
    this.freshRuns.delete(vm);
    if (fresh === undefined) {
      if (previous && !sameNetwork(previous, settings.network)) {
        ctx.log(`the new network allow-list applies when ${vm} next starts (Softnet sets its rules at start)`, 'warn');
      }
      return;
    }
    if (fresh === wanted) return;
    ctx.log(`the network allow-list changed since ${vm} was started; restarting it so Softnet applies the new one`);
    const address = this.addresses.get(vm);
    await this.stop(vm, ctx, { timeoutMs: 30_000 });
    await this.start(vm, ctx);
    this.freshRuns.delete(vm);
    const again = await this.getIp(vm, ctx, 120_000);
    if (address && again !== address) {
      throw new TidepoolError({
        code: 'RUNTIME_ERROR',
        message: `${vm} came back with a different address after its network rules changed.`,
        hint: 'Start the workspace again; it keeps the new rules.',
        detail: `before ${address}, after ${again ?? 'none'}`,
      });
    }
  }
}

function vmGone(vm: string): TidepoolError {
  return new TidepoolError({
    code: 'NOT_FOUND',
    message: `The Tart VM ${vm} does not exist; it was deleted outside Tidepool.`,
    hint: 'Delete this workspace in Tidepool and create a new one.',
  });
}

function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

function softnetStep(setup: SoftnetSetup): SetupStep {
  if (setup.state === 'ready') {
    return { id: 'softnet', title: 'Set up Softnet (network isolation)', ok: true, detail: setup.via === 'suid' ? 'SUID bit set.' : 'Passwordless sudo rule in place.' };
  }
  if (setup.state === 'missing') {
    return {
      id: 'softnet',
      title: 'Install Softnet (network isolation)',
      ok: false,
      detail: 'Softnet keeps each workspace off your local network; it normally comes with Tart.',
      command: INSTALL_SOFTNET_COMMAND,
    };
  }
  return {
    id: 'softnet',
    title: 'Let Softnet run as root (one time)',
    ok: false,
    detail: `Softnet (${setup.resolvedPath}) needs root to create each VM's network, and Tart only asks for that in a terminal. Run this once in Terminal; it asks for your password.`,
    command: setup.command ?? undefined,
  };
}
