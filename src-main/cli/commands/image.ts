/** `tidepool image build | ls`: the workspace image on the selected (or named) runtime. */
import type { Command } from 'commander';
import type { EventPayloads } from '../../../src-shared/contract.js';
import type { CommandContext } from '../context.js';
import { onInterrupt } from '../interrupt.js';
import { ago, printJson, table } from '../output.js';
import { seconds } from '../progress.js';
import { examples } from './lifecycle.js';
import type { Run } from './run.js';

export function registerImage(program: Command, run: Run): void {
  const image = program
    .command('image')
    .summary('build or list the Tidepool workspace image')
    .description('The image every workspace is created from. It is built once per runtime from images/ in this repository.')
    .addHelpText('after', examples(['tidepool image ls', 'tidepool image build', 'tidepool --runtime incus image build --force']));

  image
    .command('build')
    .summary('build the current image (or confirm it is up to date)')
    .description('Build the current Tidepool image for the selected runtime (or --runtime). This can take many minutes.')
    .option('--force', 'build again even if the current image is there')
    .addHelpText('after', examples(['tidepool image build', 'tidepool --runtime incus image build --force']))
    .action((options: { force?: boolean }, command: Command) => run(command, (ctx) => build(ctx, options.force === true)));

  image
    .command('ls')
    .alias('list')
    .summary('list the images Tidepool has built')
    .addHelpText('after', examples(['tidepool image ls', 'tidepool image ls --json']))
    .action((_options: unknown, command: Command) => run(command, list));
}

async function list(ctx: CommandContext): Promise<void> {
  const backend = await ctx.backend();
  const images = await backend.call('listImages', ctx.options.runtime ? { runtime: ctx.options.runtime } : {});
  if (ctx.out.json) {
    printJson(ctx.out, images);
    return;
  }
  if (images.length === 0) {
    ctx.io.stdout.write('No images yet. Build one with: tidepool image build\n');
    return;
  }
  const rows = images.map((entry) => [
    entry.runtime,
    entry.ref,
    entry.version,
    entry.current ? 'yes' : 'no',
    entry.sizeBytes === null ? '-' : `${(entry.sizeBytes / 1024 ** 2).toFixed(0)} MiB`,
    ago(entry.createdAt),
  ]);
  ctx.io.stdout.write(`${table(rows, ['RUNTIME', 'IMAGE', 'VERSION', 'CURRENT', 'SIZE', 'BUILT'])}\n`);
}

async function build(ctx: CommandContext, force: boolean): Promise<void> {
  const backend = await ctx.backend();
  const started = Date.now();
  let phase = '';
  const unsubscribe = backend.onEvent((event, payload) => {
    if (event !== 'imageProgress') return;
    const progress = payload as EventPayloads['imageProgress'];
    const stamp = `[${seconds(Date.now() - started).padStart(7)}]`;
    if (progress.phase !== phase) {
      phase = progress.phase;
      ctx.io.stderr.write(`${stamp} ${progress.runtime}: ${phase}\n`);
    }
    if (progress.line !== progress.phase) ctx.io.stderr.write(`${stamp}   ${progress.line}\n`);
  });
  const stopListening = onInterrupt(() =>
    ctx.note('\nAn image build cannot be cancelled from here; it finishes on its own. Press Ctrl-C again to stop waiting.'),
  );
  try {
    await backend.call('buildImage', { ...(ctx.options.runtime ? { runtime: ctx.options.runtime } : {}), ...(force ? { force } : {}) });
  } finally {
    unsubscribe();
    stopListening();
  }
  const images = await backend.call('listImages', ctx.options.runtime ? { runtime: ctx.options.runtime } : {});
  if (ctx.out.json) printJson(ctx.out, images.filter((entry) => entry.current));
  else ctx.io.stdout.write(`The image is ready (${seconds(Date.now() - started)}).\n`);
}
