/** `tidepool remote add | ls | use | rm`: the Incus servers workspaces can live on besides this computer. */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { TidepoolError } from '../../../src-shared/errors.js';
import { incusRemoteNameSchema } from '../../../src-shared/schemas.js';
import type { Settings, Workspace } from '../../../src-shared/workspace.js';
import { validName, type CommandContext } from '../context.js';
import { decodeTrustToken } from '../../runtimes/incus/incus-remote.js';
import { printJson, table } from '../output.js';
import { readSecret } from '../read-secret.js';
import { examples } from './lifecycle.js';
import type { Run } from './run.js';

/** The name that stands for this computer's own Incus. */
const LOCAL = 'local';
const TOKEN_COMMAND = 'incus config trust add tidepool';

/** One row of `tidepool remote ls`, and its --json shape. */
export interface RemoteEntry {
  name: string;
  /** null for this computer. */
  url: string | null;
  serverFingerprint: string | null;
  /** New workspaces are created here. */
  active: boolean;
  /** Incus workspaces that live here. */
  workspaces: number;
}

export function registerRemote(program: Command, run: Run): void {
  const remote = program
    .command('remote')
    .summary('add, list and choose remote Incus servers')
    .description(
      'Incus servers that workspaces can live on besides this computer. New workspaces are created on the ' +
        'active one (“local” is this computer); each workspace stays on the server it was created on.',
    )
    .addHelpText('after', examples(['tidepool remote ls', 'ssh lab incus config trust add tidepool | tidepool remote add lab', 'tidepool remote use local']));

  remote
    .command('add')
    .summary('trust Tidepool on a remote Incus server with a token made there')
    .description(
      `Join a remote Incus server with a one-time trust token made on it (\`${TOKEN_COMMAND}\`). The token ` +
        'names the server’s certificate, which Tidepool pins. Give the token as `-` or leave it out to read it ' +
        'from stdin (or a prompt), so it never shows in your shell history or in `ps`. ' +
        'New workspaces are created on the added server unless you pass --no-use.',
    )
    .argument('<name>', 'what to call the server (lower-case letters, digits and hyphens)')
    .argument('[token]', 'the trust token, or - to read it from stdin')
    .option('--url <url>', 'the server’s address, e.g. https://lab.example.com:8443 (default: the first one in the token)')
    .option('--no-use', 'keep creating new workspaces where they are created now')
    .addHelpText(
      'after',
      `\nOn the server (listening on the network, e.g. incus config set core.https_address :8443):\n  $ ${TOKEN_COMMAND}      prints a one-time token\n` +
        examples([
          'tidepool remote add lab                # paste the token at the prompt',
          `ssh lab ${TOKEN_COMMAND} | tidepool remote add lab`,
          'tidepool remote add lab - --url https://10.0.0.5:8443 --no-use < token.txt',
        ]),
    )
    .action((rawName: string, token: string | undefined, options: { url?: string; use: boolean }, command: Command) =>
      run(command, (ctx) => add(ctx, rawName, token, options)),
    );

  remote
    .command('ls')
    .alias('list')
    .summary('list this computer and the remote Incus servers')
    .description('List “local” (this computer) and every remote Incus server, the active one marked *, with how many workspaces live on each.')
    .addHelpText('after', examples(['tidepool remote ls', 'tidepool remote ls --json | jq -r \'.[] | select(.active) | .name\'']))
    .action((_options: unknown, command: Command) => run(command, list));

  remote
    .command('use')
    .summary('choose where new workspaces are created')
    .description('Create new workspaces on this remote Incus server, or on this computer with “local”. Existing workspaces stay where they are.')
    .argument('<name>', 'a remote’s name, or local')
    .addHelpText('after', examples(['tidepool remote use lab', 'tidepool remote use local']))
    .action((rawName: string, _options: unknown, command: Command) => run(command, (ctx) => use(ctx, rawName)));

  remote
    .command('rm')
    .alias('remove')
    .summary('forget a remote Incus server')
    .description('Forget a remote Incus server. Refused while workspaces live on it: delete them first.')
    .argument('<name>', 'the remote’s name')
    .addHelpText('after', examples(['tidepool remote rm lab']))
    .action((rawName: string, _options: unknown, command: Command) => run(command, (ctx) => remove(ctx, rawName)));
}

/** A remote's name from the command line, checked with the contract's rule before anything starts. */
function validRemoteName(raw: string): string {
  return validName(raw, incusRemoteNameSchema, 'remote name');
}

export function remoteEntries(incus: Settings['incus'], workspaces: Workspace[]): RemoteEntry[] {
  const livingOn = (location: string | null) =>
    workspaces.filter((workspace) => workspace.runtime === 'incus' && (workspace.location ?? null) === location).length;
  return [
    { name: LOCAL, url: null, serverFingerprint: null, active: incus.activeRemote === null, workspaces: livingOn(null) },
    ...incus.remotes.map((remote) => ({
      name: remote.name,
      url: remote.url,
      serverFingerprint: remote.serverFingerprint,
      active: incus.activeRemote === remote.name,
      workspaces: livingOn(remote.name),
    })),
  ];
}

function where(entry: RemoteEntry): string {
  return entry.url === null ? 'this computer' : `“${entry.name}” (${entry.url})`;
}

/** The core's NOT_FOUND, with a hint in commands. */
function unknownRemote(error: unknown, incus: Settings['incus']): unknown {
  if (!(error instanceof TidepoolError) || error.code !== 'NOT_FOUND') return error;
  const names = incus.remotes.map((remote) => remote.name);
  return new TidepoolError({
    ...error.toData(),
    hint:
      names.length > 0
        ? `Added: ${names.join(', ')}, and local for this computer (see tidepool remote ls).`
        : `No remote is added yet. Add one with: tidepool remote add <name> (the token comes from \`${TOKEN_COMMAND}\` on the server).`,
  });
}

async function add(ctx: CommandContext, rawName: string, rawToken: string | undefined, flags: { url?: string; use: boolean }): Promise<void> {
  const name = validRemoteName(rawName);
  const fromStdin = rawToken === undefined || rawToken === '-';
  const token = fromStdin
    ? await readSecret(ctx.io.stdin ?? process.stdin, { stderr: ctx.io.stderr, question: `Paste the trust token from \`${TOKEN_COMMAND}\` (hidden): ` })
    : rawToken.trim();
  if (token === '') {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: fromStdin ? 'No trust token came in on stdin.' : 'The trust token is empty.',
      hint: `On the server, run \`${TOKEN_COMMAND}\` and pass the token it prints (e.g. ssh server ${TOKEN_COMMAND} | tidepool remote add ${name}).`,
      fields: { token: 'Paste the trust token.' },
    });
  }
  // The core checks the token again; checking it here first means bad input starts nothing.
  const decoded = decodeTrustToken(token);
  const address = flags.url ?? (decoded.addresses[0] ? `https://${decoded.addresses[0]}` : null);
  const backend = await ctx.backend();
  ctx.note(`Asking the Incus server${address ? ` at ${address}` : ''} to trust Tidepool…`);
  const settings = await backend.call('addIncusRemote', { name, token, ...(flags.url !== undefined ? { url: flags.url } : {}), use: flags.use });
  const entries = remoteEntries(settings.incus, await backend.call('listWorkspaces', {}));
  const added = entries.find((entry) => entry.name === name)!;
  if (ctx.out.json) {
    printJson(ctx.out, added);
    return;
  }
  const active = entries.find((entry) => entry.active)!;
  ctx.io.stdout.write(
    `Added “${name}”: ${added.url}\n` +
      `Pinned server certificate (SHA-256): ${added.serverFingerprint}\n` +
      (added.active
        ? `New workspaces are now created on “${name}”. Back to this computer with: tidepool remote use local\n`
        : `New workspaces are still created on ${where(active)}. To use “${name}”: tidepool remote use ${name}\n`),
  );
}

async function list(ctx: CommandContext): Promise<void> {
  const backend = await ctx.backend();
  const settings = await backend.call('getSettings', {});
  const entries = remoteEntries(settings.incus, await backend.call('listWorkspaces', {}));
  if (ctx.out.json) {
    printJson(ctx.out, entries);
    return;
  }
  const rows = entries.map((entry) => [
    entry.active ? '*' : '',
    entry.name,
    entry.url ?? '(this computer)',
    entry.serverFingerprint === null ? '-' : `${entry.serverFingerprint.slice(0, 16)}…`,
    String(entry.workspaces),
  ]);
  ctx.io.stdout.write(`${table(rows, ['', 'NAME', 'URL', 'FINGERPRINT', 'WORKSPACES'])}\n`);
  ctx.io.stdout.write('* new workspaces are created here\n');
  if (entries.length === 1) {
    ctx.io.stdout.write(`Add a remote Incus server with: tidepool remote add <name> (make its token there with \`${TOKEN_COMMAND}\`)\n`);
  }
}

async function use(ctx: CommandContext, rawName: string): Promise<void> {
  const name = rawName === LOCAL ? null : validRemoteName(rawName);
  const backend = await ctx.backend();
  let settings: Settings;
  try {
    settings = await backend.call('useIncusRemote', { name });
  } catch (error) {
    throw unknownRemote(error, (await backend.call('getSettings', {})).incus);
  }
  const entries = remoteEntries(settings.incus, await backend.call('listWorkspaces', {}));
  const active = entries.find((entry) => entry.active)!;
  if (ctx.out.json) printJson(ctx.out, active);
  else ctx.io.stdout.write(`New workspaces are now created on ${where(active)}. Existing workspaces stay where they are.\n`);
}

async function remove(ctx: CommandContext, rawName: string): Promise<void> {
  if (rawName === LOCAL) {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: '“local” is this computer’s own Incus; it cannot be removed.',
      hint: 'To stop creating workspaces here, choose a remote with: tidepool remote use <name>',
    });
  }
  const name = validRemoteName(rawName);
  const backend = await ctx.backend();
  const before = (await backend.call('getSettings', {})).incus;
  let settings: Settings;
  try {
    settings = await backend.call('removeIncusRemote', { name });
  } catch (error) {
    throw unknownRemote(error, before);
  }
  if (ctx.out.json) {
    printJson(ctx.out, { name, removed: true });
    return;
  }
  ctx.io.stdout.write(`Removed “${name}”.\n`);
  if (before.activeRemote === name && settings.incus.activeRemote === null) {
    ctx.io.stdout.write('New workspaces are now created on this computer.\n');
  }
  ctx.io.stdout.write(`The server still trusts this computer’s certificate (“tidepool-${hostname()}” in \`incus config trust list\` there); remove it there to revoke access.\n`);
}
