/** The `tidepool` command line: global options, every command, help that teaches, exit codes. */
import { Command, CommanderError, Option } from 'commander';
import { toTidepoolError } from '../../src-shared/errors.js';
import { RUNTIME_IDS } from '../../src-shared/workspace.js';
import { registerDoctor } from './commands/doctor.js';
import { registerImage } from './commands/image.js';
import { registerLifecycle } from './commands/lifecycle.js';
import { registerLogs } from './commands/logs.js';
import { registerOpen } from './commands/open.js';
import { registerPorts } from './commands/ports.js';
import { registerRemote } from './commands/remote.js';
import type { Run } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerSsh } from './commands/ssh.js';
import { registerSshProxy } from './commands/ssh-proxy.js';
import { CommandContext, globalOptions, type CliIO } from './context.js';
import { defaultDataDir } from './data-dir.js';
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from './exit-codes.js';
import { printError } from './output.js';

const VERSION = '0.1.0';

const INTRO_HELP = `
Workspaces are isolated machines (Incus containers on Linux, Tart VMs on macOS) with VS Code in the
browser. When the Tidepool app or \`tidepool serve\` is running, commands go through it; otherwise the
command does the work itself.

Getting started:
  $ tidepool doctor            check this computer and say what to fix
  $ tidepool create web        create a workspace and wait until it is ready
  $ tidepool open web          open its IDE in the browser
  $ tidepool ssh web           a shell inside it
  $ tidepool ls --json         everything as JSON, for scripts

Progress goes to stderr (a bar on a terminal, plain lines otherwise); results go to stdout.
With --json, stdout is JSON: the result, or {"error": {"code", "message", "hint", "detail"}}.

Environment:
  TIDEPOOL_SIMULATED=1  offer the simulated runtime (for development; its workspaces are not real)
  XDG_CONFIG_HOME       where the data folder lives on Linux ($XDG_CONFIG_HOME/Tidepool)

${EXIT_CODE_HELP}`;

export function buildProgram(io: CliIO, setExitCode: (code: number) => void): Command {
  const program = new Command('tidepool');
  program
    .version(VERSION, '-V, --version')
    .description('Isolated developer workspaces on your own computer.')
    .addOption(new Option('--runtime <runtime>', 'use this runtime (wins over the app’s setting)').choices(RUNTIME_IDS))
    .option('--data-dir <path>', `Tidepool's data folder (default: ${defaultDataDir(process.platform, io.env)})`)
    .option('--json', 'print results as JSON on stdout')
    .showHelpAfterError('(run with --help for usage and examples)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText('after', INTRO_HELP);

  const run: Run = async (command, action) => {
    let ctx: CommandContext | null = null;
    try {
      ctx = new CommandContext(globalOptions(command, io.env), io);
      const code = await action(ctx);
      setExitCode(code ?? EXIT.ok);
    } catch (error) {
      const failure = toTidepoolError(error);
      printError({ json: ctx?.out.json ?? false, stdout: io.stdout, stderr: io.stderr }, failure.toData());
      setExitCode(exitCodeFor(failure.code));
    } finally {
      await ctx?.close().catch(() => undefined);
    }
  };

  registerLifecycle(program, run);
  registerOpen(program, run);
  registerSsh(program, run);
  registerSshProxy(program, run);
  registerLogs(program, run);
  registerPorts(program, run);
  registerImage(program, run);
  registerRemote(program, run);
  registerServe(program, run);
  registerDoctor(program, run);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
    command.showHelpAfterError(`(run tidepool ${command.name()} --help for usage and examples)`);
    for (const sub of command.commands) sub.exitOverride().configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  }
  return program;
}

/** Runs the CLI on these arguments (without `node` and the script) and returns the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; help shown because something was missing, and every parse error, are usage errors.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}
