/**
 * Tidepool's own SSH config file (one `Host tidepool-<name>` entry per workspace, owner-only, in the data
 * folder) so `ssh` and VS Code Remote-SSH reach a workspace with Tidepool's key and pinned host key. It is
 * included from ~/.ssh/config only while the user has agreed to it (settings.sshConfigInclude).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { TidepoolError } from '../../src-shared/errors.js';
import type { SshInfo } from '../../src-shared/workspace.js';
import { shellQuote } from './guest-exec.js';

export interface SshConfigEntry {
  alias: string;
  hostName: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  agentForwarding: boolean;
  /** How ssh reaches a guest whose address is not routable from here (a workspace on a remote Incus server). */
  proxyCommand?: string | null;
}

const HEADER = '# Managed by Tidepool: one entry per workspace, rewritten on every start. Edits here are lost.\n';
const INCLUDE_COMMENT = '# Tidepool workspaces (you allowed this in Tidepool’s settings; turn it off there to remove it)';

export function hostAlias(name: string): string {
  return `tidepool-${name}`;
}

export function sshConfigPath(dataDir: string): string {
  return join(dataDir, 'ssh', 'config');
}

export function defaultUserSshDir(): string {
  return join(homedir(), '.ssh');
}

export class SshConfigFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = sshConfigPath(dataDir);
  }

  upsert(entry: SshConfigEntry): void {
    const blocks = this.blocks().filter((block) => block.alias !== entry.alias);
    blocks.push({ alias: entry.alias, text: renderEntry(entry) });
    this.write(blocks);
  }

  remove(alias: string): void {
    const blocks = this.blocks();
    const kept = blocks.filter((block) => block.alias !== alias);
    if (kept.length !== blocks.length) this.write(kept);
  }

  /** The entry's text as written, or null when the workspace has none yet. */
  entry(alias: string): string | null {
    return this.blocks().find((block) => block.alias === alias)?.text ?? null;
  }

  private blocks(): { alias: string; text: string }[] {
    if (!existsSync(this.path)) return [];
    const blocks: { alias: string; text: string }[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const host = /^Host\s+(\S+)/.exec(line);
      if (host?.[1]) blocks.push({ alias: host[1], text: `${line}\n` });
      else if (blocks.length > 0 && line.trim() !== '') blocks[blocks.length - 1]!.text += `${line}\n`;
    }
    return blocks;
  }

  private write(blocks: { alias: string; text: string }[]): void {
    writePrivateFile(this.path, HEADER + blocks.map((block) => `\n${block.text}`).join(''));
  }
}

function renderEntry(entry: SshConfigEntry): string {
  const lines = [
    `Host ${entry.alias}`,
    `  HostName ${entry.hostName}`,
    ...(entry.port === 22 ? [] : [`  Port ${entry.port}`]),
    `  User ${entry.user}`,
    `  IdentityFile ${configQuote(entry.identityFile)}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${configQuote(entry.knownHostsFile)}`,
    // The pin is kept under the alias, so it holds when the workspace's address changes.
    `  HostKeyAlias ${entry.alias}`,
    '  StrictHostKeyChecking yes',
    `  ForwardAgent ${entry.agentForwarding ? 'yes' : 'no'}`,
    ...(entry.proxyCommand ? [`  ProxyCommand ${sshTokensEscaped(entry.proxyCommand)}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** Adds or removes the `Include` of Tidepool's file in ~/.ssh/config; returns whether it is included now. */
export function applySshConfigInclude(dataDir: string, include: boolean, userSshDir = defaultUserSshDir()): boolean {
  const userConfig = join(userSshDir, 'config');
  const includeLine = `Include ${configQuote(sshConfigPath(dataDir))}`;
  try {
    const current = existsSync(userConfig) ? readFileSync(userConfig, 'utf8') : '';
    const lines = current === '' ? [] : current.split('\n');
    const present = lines.some((line) => line.trim() === includeLine);
    if (include && !present) {
      mkdirSync(userSshDir, { recursive: true, mode: 0o700 });
      // At the very top: an Include after a `Host` line would only apply inside that block. Written in
      // place, so a symlinked ~/.ssh/config (dotfile managers) stays a symlink and keeps its mode.
      writeFileSync(userConfig, `${INCLUDE_COMMENT}\n${includeLine}\n\n${current}`, { mode: 0o600 });
    } else if (!include && present) {
      const kept = lines.filter((line) => line.trim() !== includeLine && line !== INCLUDE_COMMENT);
      while (kept[0] === '') kept.shift();
      writeFileSync(userConfig, kept.join('\n'));
    }
    return include;
  } catch (error) {
    throw new TidepoolError({
      code: 'INTERNAL',
      message: `Tidepool could not ${include ? 'add its workspaces to' : 'remove its workspaces from'} ${userConfig}.`,
      hint: `Check that ${userConfig} is yours and writable, or add or remove the line “${includeLine}” yourself.`,
      detail: error instanceof Error ? error.message : String(error),
    });
  }
}

export function isSshConfigIncluded(dataDir: string, userSshDir = defaultUserSshDir()): boolean {
  const userConfig = join(userSshDir, 'config');
  if (!existsSync(userConfig)) return false;
  const includeLine = `Include ${configQuote(sshConfigPath(dataDir))}`;
  return readFileSync(userConfig, 'utf8')
    .split('\n')
    .some((line) => line.trim() === includeLine);
}

export function sshInfoFor(name: string, configPath: string, included: boolean, guestHome: string): SshInfo {
  const alias = hostAlias(name);
  return {
    hostAlias: alias,
    command: included ? `ssh ${alias}` : `ssh -F ${shellQuote(configPath)} ${alias}`,
    vscodeUri: `vscode://vscode-remote/ssh-remote+${alias}${guestHome}`,
    configPath,
    includedInUserConfig: included,
  };
}

/** ssh_config takes double-quoted arguments (paths with spaces, e.g. macOS's Application Support). */
/** The command line that carries ssh to a workspace on a remote Incus server: `tidepool ssh-proxy`. */
export function sshProxyCommand(cli: string[], dataDir: string, name: string): string {
  return [...cli, '--data-dir', dataDir, 'ssh-proxy', name].map(shellQuote).join(' ');
}

/** ssh expands %-tokens in ProxyCommand (in its config and in `-o`) before the shell sees it. */
export function sshTokensEscaped(command: string): string {
  return command.replace(/%/g, '%%');
}

function configQuote(value: string): string {
  return /[\s"#]/.test(value) ? `"${value}"` : value;
}

/** Tidepool's own files: written whole via a temporary file, owner-only. */
function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
