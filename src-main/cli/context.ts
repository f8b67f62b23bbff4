/**
 * What every command gets: the global options, where to write, and the backend (opened lazily, after the
 * command line and names have been checked, so bad input changes nothing and starts nothing).
 */
import type { Command } from 'commander';
import type { z } from 'zod';
import { TidepoolError } from '../../src-shared/errors.js';
import { workspaceNameSchema } from '../../src-shared/schemas.js';
import { BUSY_STATES, type RuntimeId, type Workspace } from '../../src-shared/workspace.js';
import { openBackend, type Backend } from './backend.js';
import { defaultDataDir } from './data-dir.js';
import type { Output } from './output.js';
import type { SecretInput } from './read-secret.js';

export interface CliIO {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Where secrets are read from (a trust token); process.stdin when absent. */
  stdin?: SecretInput;
  env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  runtime?: RuntimeId;
  dataDir: string;
  json: boolean;
}

export class CommandContext {
  readonly out: Output;
  private opened: Backend | null = null;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    readonly options: GlobalOptions,
    readonly io: CliIO,
  ) {
    this.out = { json: options.json, stdout: io.stdout, stderr: io.stderr };
  }

  /** The simulated runtime is offered only when asked for by name or by TIDEPOOL_SIMULATED=1. */
  get simulated(): boolean {
    return this.options.runtime === 'simulated' || this.io.env.TIDEPOOL_SIMULATED === '1';
  }

  /** Progress and notes go to stderr; a terminal gets the live bar. */
  get stderrIsTTY(): boolean {
    return (this.io.stderr as NodeJS.WriteStream).isTTY === true;
  }

  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  async backend(): Promise<Backend> {
    if (this.opened) return this.opened;
    this.opened = await openBackend({
      dataDir: this.options.dataDir,
      simulated: this.simulated,
      ...(this.options.runtime ? { runtime: this.options.runtime } : {}),
    });
    if (this.simulated && this.opened.mode === 'standalone') {
      this.note('Using the simulated runtime (for development): its workspaces are not real machines.');
    }
    return this.opened;
  }

  /**
   * A command that changes workspaces first finishes what a Tidepool process left half-done when it
   * stopped (as the app does at launch). Only in standalone mode: holding the socket, this process is
   * the only one working on these workspaces, so a record that says "busy" is left over.
   */
  async backendForChanges(): Promise<Backend> {
    const backend = await this.backend();
    const core = backend.core;
    if (!core) return backend;
    const stale = core.workspaces.list().filter((workspace) => BUSY_STATES.includes(workspace.state));
    if (stale.length === 0) return backend;
    this.note(`Finishing what was interrupted when Tidepool last stopped (${stale.map((w) => `“${w.name}” ${w.state}`).join(', ')})…`);
    await core.workspaces.reconcile();
    await Promise.all(stale.map((workspace) => core.workspaces.settled(workspace.id)));
    return backend;
  }

  /** The workspace with this name; `forChanges` first finishes interrupted work (see backendForChanges). */
  async workspaceNamed(name: string, forChanges = true): Promise<Workspace> {
    const backend = forChanges ? await this.backendForChanges() : await this.backend();
    const workspace = (await backend.call('listWorkspaces', {})).find((candidate) => candidate.name === name);
    if (!workspace) {
      throw new TidepoolError({
        code: 'NOT_FOUND',
        message: `There is no workspace named “${name}”.`,
        hint: 'See your workspaces with `tidepool ls`.',
      });
    }
    return workspace;
  }

  /**
   * In standalone mode this process has just started and holds no connection to a running workspace:
   * reconnect (as the app does at launch) before using its guest (IDE, ports).
   */
  async attached(workspace: Workspace): Promise<void> {
    const core = (await this.backend()).core;
    if (!core || workspace.state !== 'ready' || core.guestFor(workspace.runtime).isAttached(workspace.id)) return;
    await core.workspaces.reconcile();
    await core.workspaces.settled(workspace.id);
  }

  onClose(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  async close(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    await this.opened?.close();
    this.opened = null;
  }
}

/** A name from the command line (a workspace's, unless told), checked with the same rule the app uses. */
export function validName(raw: string, schema: z.ZodType<string> = workspaceNameSchema, what = 'workspace name'): string {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? 'Invalid name.';
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: `“${raw}” is not a valid ${what}. ${message}`,
      fields: { name: message },
    });
  }
  return parsed.data;
}

export function globalOptions(command: Command, env: NodeJS.ProcessEnv): GlobalOptions {
  // Commander has already checked --runtime against its choices.
  const raw = command.optsWithGlobals() as { runtime?: RuntimeId; dataDir?: string; json?: boolean };
  return {
    ...(raw.runtime ? { runtime: raw.runtime } : {}),
    dataDir: raw.dataDir ?? defaultDataDir(process.platform, env),
    json: raw.json === true,
  };
}
