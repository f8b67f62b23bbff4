/** `tidepool ports`: what listens inside a workspace, and forwarding those ports to this computer. */
import type { Command } from 'commander';
import { TidepoolError } from '../../../src-shared/errors.js';
import { portSchema } from '../../../src-shared/schemas.js';
import type { GuestPort } from '../../../src-shared/workspace.js';
import { validName, type CommandContext } from '../context.js';
import { untilInterrupted } from '../interrupt.js';
import { printJson, table } from '../output.js';
import { examples } from './lifecycle.js';
import type { Run } from './run.js';

export function registerPorts(program: Command, run: Run): void {
  program
    .command('ports')
    .summary('list, forward and unforward a workspace’s ports')
    .description(
      'Without an action: list the ports listening in the workspace and the ones forwarded to this computer.\n' +
        '`forward <port>` makes a workspace port reachable on 127.0.0.1 here; `unforward <port>` stops that.\n' +
        'When neither the app nor `tidepool serve` is running, `forward` keeps running until Ctrl-C.',
    )
    .argument('<name>', 'workspace name')
    .argument('[action]', 'forward or unforward')
    .argument('[port]', 'the port inside the workspace')
    .option('--host-port <port>', 'the port on this computer (forward; default: the same number if free)')
    .addHelpText(
      'after',
      examples(['tidepool ports web', 'tidepool ports web forward 3000', 'tidepool ports web forward 5432 --host-port 15432', 'tidepool ports web unforward 3000']),
    )
    .action((rawName: string, action: string | undefined, port: string | undefined, options: { hostPort?: string }, command: Command) =>
      run(command, (ctx) => ports(ctx, rawName, action, port, options.hostPort)),
    );
}

function parsePort(raw: string | undefined, what: string): number {
  const value = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!portSchema.safeParse(value).success) {
    throw new TidepoolError({ code: 'INVALID_INPUT', message: `${what} must be a port number from 1 to 65535${raw === undefined ? '' : `, not “${raw}”`}.` });
  }
  return value;
}

async function ports(ctx: CommandContext, rawName: string, action: string | undefined, rawPort: string | undefined, rawHostPort: string | undefined): Promise<void> {
  const name = validName(rawName);
  if (action !== undefined && action !== 'forward' && action !== 'unforward') {
    throw new TidepoolError({ code: 'INVALID_INPUT', message: `Unknown ports action “${action}”: use forward or unforward.` });
  }
  const port = action ? parsePort(rawPort, 'The port') : undefined;
  const hostPort = rawHostPort !== undefined ? parsePort(rawHostPort, '--host-port') : undefined;
  const workspace = await ctx.workspaceNamed(name);
  const backend = await ctx.backend();
  await ctx.attached(workspace);

  if (action === 'forward') {
    const forwarded = await backend.call('forwardPort', { id: workspace.id, guestPort: port!, ...(hostPort ? { hostPort } : {}) });
    if (ctx.out.json) printJson(ctx.out, forwarded);
    else ctx.io.stdout.write(`Port ${forwarded.guestPort} of “${name}” is at ${forwarded.url}\n`);
    if (backend.mode === 'standalone') {
      ctx.note('The Tidepool app is not running, so this command keeps the forward open. Press Ctrl-C to close it.');
      await untilInterrupted();
    }
    return;
  }
  if (action === 'unforward') {
    await backend.call('unforwardPort', { id: workspace.id, guestPort: port! });
    if (ctx.out.json) printJson(ctx.out, { id: workspace.id, guestPort: port, forwarded: false });
    else ctx.io.stdout.write(`Port ${port} of “${name}” is no longer forwarded.\n`);
    return;
  }

  const forwarded = await backend.call('listForwardedPorts', { id: workspace.id });
  let listening: GuestPort[] = [];
  let unavailable: string | null = null;
  if (workspace.state === 'ready') {
    try {
      listening = await backend.call('listGuestPorts', { id: workspace.id });
    } catch (error) {
      unavailable = error instanceof Error ? error.message : String(error);
    }
  } else unavailable = `“${name}” is ${workspace.state}.`;
  if (ctx.out.json) {
    printJson(ctx.out, { listening, forwarded });
    return;
  }
  if (unavailable) ctx.note(`Cannot list the ports listening inside: ${unavailable}`);
  const byPort = new Map(forwarded.map((forward) => [forward.guestPort, forward]));
  const rows = listening.map((guest) => [String(guest.port), guest.process ?? '-', guest.address, byPort.get(guest.port)?.url ?? '-']);
  for (const forward of forwarded) {
    if (!listening.some((guest) => guest.port === forward.guestPort)) rows.push([String(forward.guestPort), '-', '-', forward.url]);
  }
  if (rows.length === 0) ctx.io.stdout.write(`Nothing is listening in “${name}” and nothing is forwarded.\n`);
  else ctx.io.stdout.write(`${table(rows, ['PORT', 'PROCESS', 'ADDRESS', 'FORWARDED TO'])}\n`);
}
