/**
 * `tidepool ssh-proxy <name>` (hidden): the ProxyCommand Tidepool writes into its SSH config for a workspace
 * on a remote Incus server. It carries one SSH connection over stdin/stdout to the workspace's sshd, inside
 * the Incus API connection, because the workspace's address lives on the server's bridge. It reads the
 * records directly rather than through a running app: it must not hold the app's socket while a session lasts.
 */
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { TidepoolError } from '../../../src-shared/errors.js';
import { IncusRuntime } from '../../runtimes/incus/incus-runtime.js';
import { SettingsService } from '../../settings.js';
import { ConfStateStore } from '../../store/conf-state-store.js';
import { validName, type CommandContext } from '../context.js';
import type { Run } from './run.js';

export function registerSshProxy(program: Command, run: Run): void {
  program
    .command('ssh-proxy', { hidden: true })
    .description('Carry one SSH connection to a workspace on a remote Incus server over stdin and stdout (ssh runs this as its ProxyCommand).')
    .argument('<name>', 'workspace name')
    .action((rawName: string, _options: unknown, self: Command) => run(self, (ctx) => sshProxy(ctx, rawName)));
}

async function sshProxy(ctx: CommandContext, rawName: string): Promise<number> {
  const name = validName(rawName);
  const store = new ConfStateStore(ctx.options.dataDir);
  const workspace = Object.values(store.get('workspaces') ?? {}).find((candidate) => candidate.name === name);
  if (!workspace) {
    throw new TidepoolError({ code: 'NOT_FOUND', message: `There is no workspace named “${name}”.`, hint: 'See your workspaces with `tidepool ls`.' });
  }
  const location = workspace.runtime === 'incus' ? (workspace.location ?? null) : null;
  if (!location) {
    throw new TidepoolError({
      code: 'INVALID_STATE',
      message: `“${name}” is not on a remote Incus server; ssh reaches it directly.`,
      hint: `Start it (tidepool start ${name}) so Tidepool writes its SSH config again.`,
    });
  }
  const settings = new SettingsService(store).get();
  const runtime = new IncusRuntime({ dataDir: ctx.options.dataDir, settings: () => settings, location });
  const stream = await runtime.sshStream(workspace.instanceName)!(new AbortController().signal);
  const stdin = (ctx.io.stdin ?? process.stdin) as NodeJS.ReadableStream;
  // The session ends when sshd's output does (ssh closing its end makes sshd exit, which ends it too).
  stdin.pipe(stream);
  await pipeline(stream, ctx.io.stdout);
  return 0;
}
