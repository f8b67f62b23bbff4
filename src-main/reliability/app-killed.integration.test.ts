/**
 * Tidepool killed (SIGKILL: a crash, a power cut of the process) in the middle of create, stop and delete,
 * on the real local incusd: the `tidepool` CLI runs as a child process and is killed at a chosen point; then a new
 * core on the same data folder reconciles, as the app and the CLI do at launch. The outcome must be
 * whole: the workspace finished (ready) or rolled back, never an instance without a record, a record
 * without an instance, or a home volume left behind or destroyed against the user's choice.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Workspace, WorkspaceState } from '../../src-shared/workspace.js';
import { startCli } from '../cli/testing/run-cli.js';
import type { Core } from '../core.js';
import { incusUnavailableReason } from '../runtimes/incus/integration-support.js';
import { homeVolumeName } from '../runtimes/incus/incus-storage.js';
import { STORE_FILE_NAME } from '../store/conf-state-store.js';
import {
  createReady,
  deleteAndSettle,
  incusClient,
  incusRuntimeOf,
  instancesNamed,
  openIncusCore,
  removeRunLeftovers,
  runName,
  tempDataDir,
  volumesNamed,
} from './testing/incus-core.js';

const reason = await incusUnavailableReason();
if (reason) console.warn(`Skipping the app-killed tests: ${reason}`);

/** The CLI as a user runs it, on Incus: no simulated runtime, no browser. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['TIDEPOOL_SIMULATED', 'TIDEPOOL_SIMULATED_DELAY_MS', 'TIDEPOOL_SIMULATED_FAIL', 'DISPLAY', 'WAYLAND_DISPLAY']) delete env[name];
  return env;
}

function storedWorkspaces(dataDir: string): Workspace[] {
  const file = join(dataDir, `${STORE_FILE_NAME}.json`);
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { workspaces?: Record<string, Workspace> };
    return Object.values(parsed.workspaces ?? {});
  } catch {
    // Caught between a write and its rename: look again.
    return [];
  }
}

async function instanceExists(name: string): Promise<boolean> {
  return incusClient()
    .query('GET', `/1.0/instances/${encodeURIComponent(name)}`)
    .then(() => true, () => false);
}

/** Runs the CLI and SIGKILLs it once `ready()` holds; fails if the CLI ends first. Returns what it printed. */
async function killWhen(args: string[], ready: () => Promise<boolean>, what: string): Promise<string> {
  const child: ChildProcess = startCli(args, cliEnv());
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + 120_000;
  while (!ended && Date.now() < deadline) {
    if (await ready()) {
      child.kill('SIGKILL');
      await exited;
      return output;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`the CLI ${ended ? 'finished' : 'ran for 120 s'} before ${what}:\n${output}`);
}

/** Tidepool started again on the same data folder: reconcile, then wait for what it resumed. */
async function restartOn(dataDir: string): Promise<Core> {
  const core = await openIncusCore(dataDir);
  await core.workspaces.reconcile();
  await core.workspaces.drain();
  return core;
}

/** Orphans among this test's instances (other data folders' workspaces are orphans to this one's store). */
async function orphansNamed(core: Core, instance: string): Promise<string[]> {
  return (await core.workspaces.orphans()).map((orphan) => orphan.instanceName).filter((name) => name === instance);
}

describe.skipIf(reason !== null)('Tidepool killed mid-operation, then started again (real Incus, the CLI)', () => {
  const dataDirs: string[] = [];
  const cores: Core[] = [];

  afterAll(async () => {
    try {
      for (const core of cores) {
        await core.workspaces.drain();
        await core.dispose();
      }
    } finally {
      const left = await removeRunLeftovers();
      if (left.length > 0) console.warn(`removed leftovers: ${left.join(', ')}`);
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  const createKillPoints: { label: string; stem: string; ready: (dataDir: string, instance: string) => Promise<boolean> }[] = [
    { label: 'as soon as the instance exists', stem: 'kc-inst', ready: (_dir, instance) => instanceExists(instance) },
    { label: 'while it boots', stem: 'kc-boot', ready: async (dir) => storedWorkspaces(dir).some((w) => w.state === 'starting') },
    { label: 'while it is configured over SSH', stem: 'kc-conf', ready: async (dir) => storedWorkspaces(dir).some((w) => w.state === 'configuring') },
  ];

  for (const point of createKillPoints) {
    it(`create killed ${point.label}: finished on restart, nothing orphaned`, async () => {
      const dataDir = tempDataDir('killed');
      dataDirs.push(dataDir);
      const name = runName(point.stem);
      const instance = `tp-${name}`;
      await killWhen(['--runtime', 'incus', '--data-dir', dataDir, 'create', name, '--cpus', '1', '--memory', '1G', '--disk', '8'], () => point.ready(dataDir, instance), point.label);
      const left = storedWorkspaces(dataDir);
      expect(left.map((w) => [w.name, w.state])).toEqual([[name, expect.stringMatching(/^(creating|starting|configuring)$/) as unknown as WorkspaceState]]);

      const started = performance.now();
      const core = await restartOn(dataDir);
      cores.push(core);
      const after = core.workspaces.list();
      console.info(
        `create killed ${point.label} (stored ${left[0]!.state}) → after restart: ${after.map((w) => `${w.state}${w.lastError ? ` (${w.lastError.code}: ${w.lastError.message} ${w.lastError.detail ?? ''})` : ''}`).join(', ') || 'no record'} in ${Math.round(performance.now() - started)} ms`,
      );
      const instances = await instancesNamed(instance);
      const volumes = await volumesNamed(homeVolumeName(instance));
      if (after[0]?.state === 'stopped') {
        // Cut off after the instance was made, while it booted: a whole workspace that was not started yet.
        await core.workspaces.start(after[0].id);
        await core.workspaces.settled(after[0].id);
      }
      if (after.length === 1) {
        // Finished: a ready workspace that owns its instance and its home.
        expect(core.workspaces.get(after[0]!.id)).toMatchObject({ name, state: 'ready', instanceName: instance });
        expect(instances).toEqual([instance]);
        expect(volumes).toEqual([homeVolumeName(instance)]);
      } else {
        // Rolled back: nothing at all.
        expect(after).toEqual([]);
        expect(instances).toEqual([]);
        expect(volumes).toEqual([]);
      }
      expect(await orphansNamed(core, instance)).toEqual([]);
      for (const workspace of after) await deleteAndSettle(core, workspace.id);
    });
  }

  it('stop killed while the instance shuts down: the stop is finished on restart', async () => {
    const dataDir = tempDataDir('killed');
    dataDirs.push(dataDir);
    const name = runName('ks');
    const instance = `tp-${name}`;
    const first = await openIncusCore(dataDir);
    const workspace = await createReady(first, name);
    await first.dispose();

    await killWhen(['--runtime', 'incus', '--data-dir', dataDir, 'stop', name], async () => storedWorkspaces(dataDir).some((w) => w.state === 'stopping'), 'the workspace was stopping');
    const core = await restartOn(dataDir);
    cores.push(core);
    const after = core.workspaces.get(workspace.id);
    console.info(`stop killed while shutting down → after restart: ${after.state}${after.lastError ? ` (${after.lastError.message})` : ''}`);
    expect(after.state).toBe('stopped');
    expect((await incusRuntimeOf(core).status(instance)).state).toBe('stopped');
    expect(await volumesNamed(homeVolumeName(instance))).toEqual([homeVolumeName(instance)]);
    await core.workspaces.start(workspace.id);
    await core.workspaces.settled(workspace.id);
    expect(core.workspaces.get(workspace.id).state).toBe('ready');
    expect(await orphansNamed(core, instance)).toEqual([]);
    await deleteAndSettle(core, workspace.id);
  });

  const deleteKillPoints: { label: string; stem: string; state: WorkspaceState; keepHome: boolean }[] = [
    { label: 'while the running instance is stopped', stem: 'kd-stop', state: 'stopping', keepHome: false },
    { label: 'while the instance is removed', stem: 'kd-rm', state: 'deleting', keepHome: false },
    { label: 'while the instance is removed, keeping the home folder', stem: 'kd-keep', state: 'deleting', keepHome: true },
  ];

  for (const point of deleteKillPoints) {
    it(`delete killed ${point.label}: finished or undone on restart, the home folder as asked`, async () => {
      const dataDir = tempDataDir('killed');
      dataDirs.push(dataDir);
      const name = runName(point.stem);
      const instance = `tp-${name}`;
      // The app quit and left the workspace running (the usual case for a delete).
      const first = await openIncusCore(dataDir);
      const workspace = await createReady(first, name);
      await first.dispose();

      const args = ['--runtime', 'incus', '--data-dir', dataDir, 'rm', name, '--force', ...(point.keepHome ? ['--keep-home'] : [])];
      await killWhen(args, async () => storedWorkspaces(dataDir).some((w) => w.state === point.state), `the workspace was ${point.state}`);

      const core = await restartOn(dataDir);
      cores.push(core);
      const after = core.workspaces.list();
      const instances = await instancesNamed(instance);
      const volumes = await volumesNamed(homeVolumeName(instance));
      console.info(
        `delete killed ${point.label} → after restart: ${after.map((w) => `${w.state}${w.lastError ? ` (${w.lastError.message} ${w.lastError.detail ?? ''})` : ''}`).join(', ') || 'no record'}; instances [${instances.join(', ')}]; home volumes [${volumes.join(', ')}]`,
      );
      if (after.length === 1) {
        // Undone: the workspace is whole again (its instance and its home are there).
        expect(after[0]).toMatchObject({ id: workspace.id, state: expect.stringMatching(/^(ready|stopped)$/) as unknown as WorkspaceState });
        expect(instances).toEqual([instance]);
        expect(volumes).toEqual([homeVolumeName(instance)]);
        await deleteAndSettle(core, workspace.id);
      } else {
        expect(after).toEqual([]);
        expect(instances).toEqual([]);
        expect(volumes).toEqual(point.keepHome ? [homeVolumeName(instance)] : []);
      }
      expect(await orphansNamed(core, instance)).toEqual([]);
    });
  }
});
