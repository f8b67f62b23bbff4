/** `tidepool ssh`: a shell (or one command) in the workspace through the system's own ssh. */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { TidepoolError } from '../../../src-shared/errors.js';
import { sshProxyCommand, sshTokensEscaped } from '../../guest/ssh-config.js';
import { thisCliCommand } from '../backend.js';
import { validName, type CommandContext } from '../context.js';
import { examples } from './lifecycle.js';
import type { Run } from './run.js';

export function registerSsh(program: Command, run: Run): void {
  program
    .command('ssh')
    .summary('open a shell in a workspace with your system’s ssh')
    .description(
      'Run the system `ssh` with Tidepool’s generated SSH config for this workspace: an interactive shell,\n' +
        'or the command given after `--`. The exit status is ssh’s own.',
    )
    .argument('<name>', 'workspace name')
    .argument('[command...]', 'a command to run instead of a shell (put it after --)')
    .addHelpText('after', examples(['tidepool ssh web', 'tidepool ssh web -- uname -a', 'tidepool ssh web -- -L 5432:localhost:5432']))
    .action((rawName: string, command: string[], _options: unknown, self: Command) =>
      run(self, (ctx) => ssh(ctx, rawName, command)),
    );
}

async function ssh(ctx: CommandContext, rawName: string, command: string[]): Promise<number> {
  const name = validName(rawName);
  const workspace = await ctx.workspaceNamed(name);
  if (workspace.state !== 'ready') {
    throw new TidepoolError({
      code: 'INVALID_STATE',
      message: `“${name}” is ${workspace.state}, not running.`,
      hint: `Start it with: tidepool start ${name}`,
    });
  }
  const backend = await ctx.backend();
  const info = await backend.call('getSshInfo', { id: workspace.id });
  if (!info.configPath) {
    throw new TidepoolError({
      code: 'RUNTIME_UNAVAILABLE',
      message: `“${name}” has no machine to SSH into (${workspace.runtime === 'simulated' ? 'it is simulated' : 'no SSH config'}).`,
    });
  }
  // ssh needs nothing more from Tidepool: let go of the data folder before handing over the terminal.
  await ctx.close();
  // The app writes no usable ProxyCommand for a workspace on a remote Incus server (it has no CLI to
  // run): this CLI gives its own, and `-o` wins over the config file.
  const cli = workspace.location ? thisCliCommand() : null;
  const proxy = cli ? ['-o', `ProxyCommand=${sshTokensEscaped(sshProxyCommand(cli, ctx.options.dataDir, name))}`] : [];
  const args = ['-F', info.configPath, ...proxy, info.hostAlias, ...command];
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: 'inherit' });
    child.once('error', (error) =>
      reject(
        new TidepoolError({
          code: 'RUNTIME_UNAVAILABLE',
          message: 'The `ssh` command is not installed.',
          hint: 'Install the OpenSSH client (Debian/Ubuntu: sudo apt install openssh-client).',
          detail: error.message,
        }),
      ),
    );
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
  });
}
