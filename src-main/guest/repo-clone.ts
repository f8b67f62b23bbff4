/**
 * The repository a workspace was created with: cloned into the home folder on the first start, skipped
 * once the folder exists. Git runs in the guest (with the user's forwarded agent, when they chose that).
 */
import type { OperationContext } from '../runtimes/runtime.js';
import type { GuestConnection } from './connection-manager.js';
import { execInGuest, shellQuote } from './guest-exec.js';

export type CloneOutcome = { status: 'cloned' | 'present'; folder: string } | { status: 'failed'; folder: string; detail: string };

/** `https://host/org/my-app.git`, `git@host:org/my-app` → `my-app`. */
export function repoFolderName(url: string): string {
  const last = url.trim().replace(/[/\\]+$/, '').split(/[/:\\]/).pop() ?? '';
  const name = last.replace(/\.git$/i, '').replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '');
  return name || 'repository';
}

export async function cloneRepo(connection: GuestConnection, home: string, url: string, ctx: OperationContext): Promise<CloneOutcome> {
  const folder = `${home}/${repoFolderName(url)}`;
  const client = await connection.ready();
  if ((await execInGuest(client, `test -e ${shellQuote(folder)}`, { signal: ctx.signal })).code === 0) {
    return { status: 'present', folder };
  }
  // Never wait for a prompt nobody can answer; accept a new Git host's key on this first contact.
  const command =
    'GIT_TERMINAL_PROMPT=0 GIT_SSH_COMMAND="ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new" ' +
    `git clone --progress -- ${shellQuote(url)} ${shellQuote(folder)}`;
  const result = await execInGuest(client, command, {
    signal: ctx.signal,
    onStderr: (chunk) => {
      const line = chunk.split(/[\r\n]+/).filter((part) => part.trim() !== '').pop();
      if (line) ctx.progress(line.trim());
    },
  });
  if (result.code === 0) return { status: 'cloned', folder };
  const detail = result.stderr
    .split(/[\r\n]+/)
    .filter((line) => line.trim() !== '' && !/^(Receiving|Resolving|remote: (Counting|Compressing|Enumerating))/.test(line))
    .join('\n');
  return { status: 'failed', folder, detail };
}
