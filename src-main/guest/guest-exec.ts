/** Running one command inside the guest over the shared SSH connection, and quoting its arguments. */
import type { Client, ClientChannel } from 'ssh2';
import { TidepoolError } from '../../src-shared/errors.js';
import { cancelledError } from '../util/abort.js';

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Written to the command's stdin, then closed. */
  stdin?: string;
  signal?: AbortSignal;
  /** Each chunk of stderr as it arrives (progress lines of long commands). */
  onStderr?(chunk: string): void;
}

export function execInGuest(client: Client, command: string, options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(cancelledError());
      return;
    }
    const lost = (error: Error): TidepoolError =>
      new TidepoolError({
        code: 'GUEST_UNREACHABLE',
        message: 'The connection to the workspace dropped while Tidepool was running a command in it.',
        hint: 'Tidepool reconnects by itself; try again in a moment.',
        detail: error.message,
      });
    const run = (error: Error | undefined, channel: ClientChannel): void => {
      if (error) {
        reject(lost(error));
        return;
      }
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | null = null;
      const onAbort = (): void => {
        channel.close();
        reject(cancelledError());
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      channel.on('data', (chunk: Buffer) => stdout.push(chunk));
      channel.stderr.on('data', (chunk: Buffer) => {
        stderr.push(chunk);
        options.onStderr?.(chunk.toString('utf8'));
      });
      channel.on('exit', (exitCode: number | null) => {
        code = typeof exitCode === 'number' ? exitCode : null;
      });
      channel.on('close', () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ code, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') });
      });
      channel.end(options.stdin ?? '');
    };
    try {
      client.exec(command, run);
    } catch (error) {
      reject(lost(error as Error));
    }
  });
}

/** Quotes one argument for a POSIX shell. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
