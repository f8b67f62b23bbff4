/** `tidepool ls | create | start | stop | rm`: the workspace list and its lifecycle. */
import { Option, type Command } from 'commander';
import { TidepoolError } from '../../../src-shared/errors.js';
import { createWorkspaceInputSchema, fieldErrors, type CreateWorkspaceInput } from '../../../src-shared/schemas.js';
import { BUSY_STATES, INSTANCE_KINDS, type InstanceKind, type Workspace } from '../../../src-shared/workspace.js';
import { validName, type CommandContext } from '../context.js';
import { followOperation } from '../follow.js';
import { ago, printJson, table } from '../output.js';
import { parseCount, parseSize } from '../sizes.js';
import type { Run } from './run.js';

export function registerLifecycle(program: Command, run: Run): void {
  program
    .command('ls')
    .alias('list')
    .summary('list workspaces and their state')
    .description('List your workspaces with their state, runtime and IDE address.')
    .addHelpText('after', examples(['tidepool ls', 'tidepool ls --json | jq -r \'.[] | select(.state=="ready") | .name\'']))
    .action((_options, command: Command) => run(command, list));

  program
    .command('create')
    .summary('create a workspace and wait until it is ready')
    .description(
      'Create a workspace from the Tidepool image and wait until its IDE answers, showing each step.\n' +
        'Names use lower-case letters, digits and hyphens (at most 63), starting and ending with a letter or digit.',
    )
    .argument('<name>', 'the new workspace’s name')
    .option('--cpus <count>', 'virtual CPUs (default: the setting, 2)')
    .option('--memory <size>', 'memory, e.g. 4096 (MiB), 512M or 8G (default: the setting, 4G)')
    .option('--disk <size>', 'disk, e.g. 20 (GiB) or 40G (default: the setting, 20G)')
    .addOption(new Option('--kind <kind>', 'container or virtual machine').choices(INSTANCE_KINDS))
    .option('--repo <url>', 'clone this git repository into the home folder (https://, ssh:// or git@)')
    .option('--image <ref>', 'image to create from (default: the runtime’s current Tidepool image)')
    .option('--forward-ssh-agent', 'forward your SSH agent into the workspace')
    .option('--no-wait', 'return as soon as the workspace is recorded; creation goes on in Tidepool')
    .addHelpText(
      'after',
      examples([
        'tidepool create web',
        'tidepool create api --cpus 4 --memory 8G --disk 40G',
        'tidepool create site --repo https://github.com/example/site.git',
        'tidepool create scratch --no-wait --json',
      ]),
    )
    .action((rawName: string, options: CreateFlags, command: Command) => run(command, (ctx) => create(ctx, rawName, options)));

  program
    .command('start')
    .summary('start a stopped workspace and wait until it is ready')
    .description('Start a workspace and wait until its IDE answers. Starting a running workspace does nothing.')
    .argument('<name>', 'workspace name')
    .option('--no-wait', 'return once the start has begun')
    .addHelpText('after', examples(['tidepool start web', 'tidepool start web --no-wait']))
    .action((rawName: string, options: { wait: boolean }, command: Command) =>
      run(command, (ctx) => startOrStop(ctx, rawName, 'start', options.wait, false)),
    );

  program
    .command('stop')
    .summary('stop a workspace (its files stay)')
    .description('Shut a workspace down cleanly; its files stay. With --force it is powered off at once.')
    .argument('<name>', 'workspace name')
    .option('--force', 'power off without a clean shutdown')
    .option('--no-wait', 'return once the stop has begun')
    .addHelpText('after', examples(['tidepool stop web', 'tidepool stop web --force']))
    .action((rawName: string, options: { wait: boolean; force?: boolean }, command: Command) =>
      run(command, (ctx) => startOrStop(ctx, rawName, 'stop', options.wait, options.force === true)),
    );

  program
    .command('rm')
    .alias('delete')
    .summary('delete a workspace and everything in it')
    .description(
      'Delete a workspace: the machine and every file in it. A running workspace is refused unless you pass\n' +
        '--force (it is stopped first).',
    )
    .argument('<name>', 'workspace name')
    .option('--force', 'delete even if it is running')
    .option('--keep-home', 'keep the home folder for a later workspace (runtimes that keep it apart)')
    .option('--no-wait', 'return once the deletion has begun')
    .addHelpText('after', examples(['tidepool rm old-experiment', 'tidepool rm web --force']))
    .action((rawName: string, options: { wait: boolean; force?: boolean; keepHome?: boolean }, command: Command) =>
      run(command, (ctx) => remove(ctx, rawName, options)),
    );
}

export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}`;
}

async function list(ctx: CommandContext): Promise<void> {
  const backend = await ctx.backend();
  const workspaces = await backend.call('listWorkspaces', {});
  if (ctx.out.json) {
    printJson(ctx.out, workspaces);
    return;
  }
  if (workspaces.length === 0) {
    ctx.io.stdout.write('No workspaces yet. Create one with: tidepool create <name>\n');
    return;
  }
  // A standalone command holds no IDE tunnels: the address is live only while Tidepool runs.
  const live = backend.mode === 'connected';
  // The server column appears only once a workspace lives on a remote Incus server (tidepool remote).
  const located = workspaces.some((workspace) => workspace.location !== undefined);
  const rows = workspaces.map((workspace) => [
    workspace.name,
    workspace.state === 'error' ? `error: ${workspace.lastError?.message ?? 'see tidepool logs'}` : workspace.state,
    workspace.runtime === 'simulated' ? 'simulated*' : workspace.runtime,
    ...(located ? [workspace.location ?? 'local'] : []),
    workspace.kind,
    workspace.state !== 'ready' ? '-' : live && workspace.idePort !== null ? `http://127.0.0.1:${workspace.idePort}/` : `tidepool open ${workspace.name}`,
    ago(workspace.createdAt),
  ]);
  const header = ['NAME', 'STATE', 'RUNTIME', ...(located ? ['SERVER'] : []), 'KIND', 'IDE', 'CREATED'];
  ctx.io.stdout.write(`${table(rows, header)}\n`);
  if (!live && workspaces.some((workspace) => BUSY_STATES.includes(workspace.state))) {
    ctx.io.stdout.write('A Tidepool process stopped in the middle of this work; the next tidepool command that changes workspaces finishes it.\n');
  }
  if (workspaces.some((workspace) => workspace.runtime === 'simulated')) {
    ctx.io.stdout.write('* simulated: a stand-in for development, not a real machine\n');
  }
}

interface CreateFlags {
  cpus?: string;
  memory?: string;
  disk?: string;
  kind?: InstanceKind;
  repo?: string;
  image?: string;
  forwardSshAgent?: boolean;
  wait: boolean;
}

async function create(ctx: CommandContext, rawName: string, flags: CreateFlags): Promise<void> {
  const name = validName(rawName);
  const sizes = {
    ...(flags.cpus !== undefined ? { cpus: parseCount(flags.cpus, '--cpus') } : {}),
    ...(flags.memory !== undefined ? { memoryMiB: parseSize(flags.memory, 'MiB', '--memory') } : {}),
    ...(flags.disk !== undefined ? { diskGiB: parseSize(flags.disk, 'GiB', '--disk') } : {}),
  };
  const draft = {
    name,
    ...(ctx.options.runtime ? { runtime: ctx.options.runtime } : {}),
    ...(flags.kind ? { kind: flags.kind } : {}),
    ...(flags.repo !== undefined ? { repoUrl: flags.repo } : {}),
    ...(flags.image !== undefined ? { image: flags.image } : {}),
    ...(flags.forwardSshAgent ? { sshAgentForwarding: true } : {}),
  };
  // Check every value before asking Tidepool for anything.
  const withDefaults = (defaults: { cpus: number; memoryMiB: number; diskGiB: number }) =>
    Object.keys(sizes).length > 0 ? { ...draft, resources: { ...defaults, ...sizes } } : draft;
  checkCreateInput(withDefaults({ cpus: 2, memoryMiB: 4096, diskGiB: 20 }));

  const backend = await ctx.backendForChanges();
  const input =
    Object.keys(sizes).length > 0
      ? checkCreateInput(withDefaults((await backend.call('getSettings', {})).defaultResources))
      : checkCreateInput(draft);
  let created: Workspace | null = null;
  const followed = await followOperation(ctx, {
    operation: 'create',
    name: `Creating “${name}”`,
    done: `“${name}” is ready`,
    wait: flags.wait,
    cancellable: true,
    begin: async () => {
      created = await backend.call('createWorkspace', input);
      return created.id;
    },
  });
  const workspace = followed.outcome?.workspace ?? created!;
  if (ctx.out.json) printJson(ctx.out, workspace);
  else if (!followed.waited) ctx.io.stdout.write(`Creating “${name}” in the background. Follow it with: tidepool ls\n`);
  else ctx.io.stdout.write(`“${name}” is ready (${workspace.runtime} ${workspace.kind}). Open its IDE with: tidepool open ${name}\n`);
}

function checkCreateInput(input: unknown): CreateWorkspaceInput {
  const parsed = createWorkspaceInputSchema.safeParse(input);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    const [field, message] = Object.entries(fields)[0] ?? ['_', 'Invalid input.'];
    throw new TidepoolError({ code: 'INVALID_INPUT', message: `${flagFor(field)}: ${message}`, fields });
  }
  return parsed.data;
}

function flagFor(field: string): string {
  const flags: Record<string, string> = {
    name: 'name',
    'resources.cpus': '--cpus',
    'resources.memoryMiB': '--memory',
    'resources.diskGiB': '--disk',
    repoUrl: '--repo',
    image: '--image',
  };
  return flags[field] ?? field;
}

async function startOrStop(ctx: CommandContext, rawName: string, operation: 'start' | 'stop', wait: boolean, force: boolean): Promise<void> {
  const name = validName(rawName);
  const target = await ctx.workspaceNamed(name);
  const backend = await ctx.backend();
  const followed = await followOperation(ctx, {
    operation,
    name: `${operation === 'start' ? 'Starting' : 'Stopping'} “${name}”`,
    done: `“${name}” is ${operation === 'start' ? 'ready' : 'stopped'}`,
    wait,
    cancellable: operation === 'start',
    begin: async () => {
      if (operation === 'start') await backend.call('startWorkspace', { id: target.id });
      else await backend.call('stopWorkspace', { id: target.id, ...(force ? { force } : {}) });
      return target.id;
    },
  });
  const workspace = followed.outcome?.workspace ?? (await backend.call('getWorkspace', { id: target.id }));
  if (ctx.out.json) {
    printJson(ctx.out, workspace);
    return;
  }
  const nothingRan = followed.waited && followed.outcome?.progress === null;
  if (!followed.waited) ctx.io.stdout.write(`${operation === 'start' ? 'Starting' : 'Stopping'} “${name}” in the background.\n`);
  else if (operation === 'start') {
    ctx.io.stdout.write(`“${name}” is ${nothingRan ? 'already running' : 'ready'}. Open its IDE with: tidepool open ${name}\n`);
  } else ctx.io.stdout.write(`“${name}” is ${nothingRan ? 'already stopped' : 'stopped'}.\n`);
}

async function remove(ctx: CommandContext, rawName: string, flags: { wait: boolean; force?: boolean; keepHome?: boolean }): Promise<void> {
  const name = validName(rawName);
  const target = await ctx.workspaceNamed(name);
  if (!flags.force && target.state === 'ready') {
    throw new TidepoolError({
      code: 'INVALID_STATE',
      message: `“${name}” is running; deleting it would stop it and lose everything in it.`,
      hint: `Stop it first (tidepool stop ${name}), or delete it anyway with: tidepool rm --force ${name}`,
    });
  }
  const backend = await ctx.backend();
  const followed = await followOperation(ctx, {
    operation: 'delete',
    name: `Deleting “${name}”`,
    done: `Deleted “${name}”`,
    wait: flags.wait,
    cancellable: false,
    begin: async () => {
      await backend.call('deleteWorkspace', { id: target.id, ...(flags.keepHome ? { keepHome: true } : {}) });
      return target.id;
    },
  });
  if (ctx.out.json) printJson(ctx.out, { id: target.id, name, deleted: followed.waited });
  else ctx.io.stdout.write(followed.waited ? `Deleted “${name}”.\n` : `Deleting “${name}” in the background.\n`);
}
