/**
 * `tidepool logs`: a workspace's log (boot, provisioning, runtime output). It reads the log file in the
 * data folder, which holds every line whichever process (app, server or CLI) wrote it.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { LogLine } from '../../../src-shared/workspace.js';
import { validName, type CommandContext } from '../context.js';
import { untilInterrupted } from '../interrupt.js';
import { parseCount } from '../sizes.js';
import { examples } from './lifecycle.js';
import type { Run } from './run.js';

const FOLLOW_POLL_MS = 250;

export function registerLogs(program: Command, run: Run): void {
  program
    .command('logs')
    .summary('show a workspace’s log')
    .description('Print the last lines of a workspace’s log. With -f, keep printing new lines until Ctrl-C.')
    .argument('<name>', 'workspace name')
    .option('-f, --follow', 'keep printing new lines as they come')
    .option('-n, --lines <count>', 'how many of the last lines to print', '100')
    .addHelpText('after', examples(['tidepool logs web', 'tidepool logs web -f', 'tidepool logs web -n 20 --json']))
    .action((rawName: string, options: { follow?: boolean; lines: string }, command: Command) =>
      run(command, (ctx) => logs(ctx, rawName, options.follow === true, parseCount(options.lines, '--lines'))),
    );
}

/** Lines are written as `<ISO time> [<source>] <level>: <text>`. */
export function parseLogLine(workspaceId: string, raw: string): LogLine | null {
  const match = /^(\S+) \[(tidepool|runtime|guest)\] (info|warn|error): (.*)$/.exec(raw);
  if (!match) return null;
  return { workspaceId, at: match[1]!, source: match[2] as LogLine['source'], level: match[3] as LogLine['level'], text: match[4]! };
}

async function logs(ctx: CommandContext, rawName: string, follow: boolean, count: number): Promise<void> {
  const name = validName(rawName);
  const workspace = await ctx.workspaceNamed(name, false);
  const file = join(ctx.options.dataDir, 'logs', `${workspace.id}.log`);
  // The log is a file; nothing else is needed from Tidepool.
  await ctx.close();
  const print = (rawLines: string[]): void => {
    for (const raw of rawLines) {
      if (raw === '') continue;
      if (ctx.out.json) {
        const line = parseLogLine(workspace.id, raw);
        ctx.io.stdout.write(`${JSON.stringify(line ?? { workspaceId: workspace.id, at: null, source: 'tidepool', level: 'info', text: raw })}\n`);
      } else ctx.io.stdout.write(`${raw}\n`);
    }
  };
  let offset = 0;
  if (existsSync(file)) {
    const chunk = readFrom(file, 0);
    offset = chunk.length;
    print(chunk.toString('utf8').split('\n').filter((line) => line !== '').slice(-count));
  } else if (!ctx.out.json) {
    ctx.note(`No log lines for “${name}” yet.`);
  }
  if (!follow) return;
  let partial = Buffer.alloc(0);
  const timer = setInterval(() => {
    if (!existsSync(file)) return;
    if (statSync(file).size < offset) offset = 0;
    const chunk = readFrom(file, offset);
    if (chunk.length === 0) return;
    offset += chunk.length;
    const pending = Buffer.concat([partial, chunk]);
    const end = pending.lastIndexOf(0x0a) + 1;
    partial = pending.subarray(end);
    print(pending.subarray(0, end).toString('utf8').split('\n'));
  }, FOLLOW_POLL_MS);
  await untilInterrupted();
  clearInterval(timer);
}

/** Everything after `offset`. */
function readFrom(file: string, offset: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, statSync(file).size - offset));
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
