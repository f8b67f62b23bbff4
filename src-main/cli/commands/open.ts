/** `tidepool open`: start the workspace if needed and open its IDE in the browser. */
import type { Command } from 'commander';
import type { OperationProgress } from '../../../src-shared/workspace.js';
import { openInBrowser } from '../browser.js';
import { validName, type CommandContext } from '../context.js';
import { onInterrupt, untilInterrupted } from '../interrupt.js';
import { printJson } from '../output.js';
import { StepProgress } from '../progress.js';
import { examples } from './lifecycle.js';
import type { Run } from './run.js';

export function registerOpen(program: Command, run: Run): void {
  program
    .command('open')
    .summary('open a workspace’s IDE in your browser (starting it if needed)')
    .description(
      'Start the workspace if it is stopped, wait until its IDE answers, print the IDE’s URL and open it in\n' +
        'your browser. When neither the app nor `tidepool serve` is running, this command keeps the IDE’s\n' +
        'tunnel open until you press Ctrl-C.',
    )
    .argument('<name>', 'workspace name')
    .option('--no-browser', 'only print the URL')
    .addHelpText('after', examples(['tidepool open web', 'tidepool open web --no-browser --json']))
    .action((rawName: string, options: { browser: boolean }, command: Command) =>
      run(command, (ctx) => open(ctx, rawName, options.browser)),
    );
}

async function open(ctx: CommandContext, rawName: string, browser: boolean): Promise<void> {
  const name = validName(rawName);
  const target = await ctx.workspaceNamed(name);
  const backend = await ctx.backend();
  const view = new StepProgress(ctx.io.stderr as NodeJS.WriteStream);
  let showed = false;
  const unsubscribe = backend.onEvent((event, payload) => {
    const progress = payload as OperationProgress;
    if (event !== 'progress' || progress.workspaceId !== target.id) return;
    showed = true;
    view.update(progress);
  });
  const stopListening = onInterrupt(() => {
    ctx.note('\nCancelling…');
    void backend.call('cancelOperation', { id: target.id }).catch(() => undefined);
  });
  let result;
  try {
    await ctx.attached(target);
    result = await backend.call('openWorkspace', { id: target.id });
    if (showed) view.finish(true, `“${name}” is ready`);
  } catch (error) {
    if (showed) view.finish(false, `Opening “${name}” failed`);
    throw error;
  } finally {
    unsubscribe();
    stopListening();
  }
  if (ctx.out.json) printJson(ctx.out, result);
  else ctx.io.stdout.write(`${result.ideUrl}\n`);
  if (browser && !(await openInBrowser(result.ideUrl))) {
    ctx.note('No browser to open here: copy the URL above into one.');
  }
  if (backend.mode === 'standalone') {
    ctx.note('The Tidepool app is not running, so this command keeps the IDE’s tunnel open. Press Ctrl-C to close it.');
    await untilInterrupted();
  }
}
