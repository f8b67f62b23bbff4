/**
 * Terminals: interactive login shells on a PTY in the guest, each its own channel on the workspace's
 * SSH connection. Bytes go in as typed (Ctrl-C is a byte the PTY turns into SIGINT); output is decoded
 * as UTF-8 without splitting characters across chunks. Closing a terminal ends its shell.
 */
import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { TidepoolError } from '../../src-shared/errors.js';
import type { GuestConnection } from './connection-manager.js';
import type { TerminalHandlers } from './guest-access.js';

interface OpenTerminal {
  workspaceId: string;
  channel: ClientChannel;
  handlers: TerminalHandlers;
  exited: boolean;
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

export class Terminals {
  private readonly terminals = new Map<string, OpenTerminal>();

  async open(workspaceId: string, connection: GuestConnection, size: TerminalSize, handlers: TerminalHandlers): Promise<string> {
    const client = await connection.ready();
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      client.shell(
        { cols: size.cols, rows: size.rows, term: 'xterm-256color' },
        { env: { LANG: 'C.UTF-8', COLORTERM: 'truecolor' } },
        (error, opened) => (error ? reject(terminalRefused(error)) : resolve(opened)),
      );
    });
    const id = randomUUID();
    const terminal: OpenTerminal = { workspaceId, channel, handlers, exited: false };
    this.terminals.set(id, terminal);
    const decoder = new StringDecoder('utf8');
    let exitCode: number | null = null;
    // Output is held back until the caller has the terminal's id (its handlers tag events with it).
    let delivering = false;
    const held: (() => void)[] = [];
    const deliver = (action: () => void): void => {
      if (delivering) action();
      else held.push(action);
    };
    setImmediate(() => {
      delivering = true;
      for (const action of held.splice(0)) action();
    });
    const onOutput = (chunk: Buffer): void => {
      const text = decoder.write(chunk);
      if (text) deliver(() => handlers.onData(text));
    };
    channel.on('data', onOutput);
    channel.stderr.on('data', onOutput);
    channel.on('exit', (code: number | null) => {
      exitCode = typeof code === 'number' ? code : null;
    });
    channel.on('error', () => channel.close());
    channel.once('close', () => {
      const rest = decoder.end();
      deliver(() => {
        if (rest) handlers.onData(rest);
        this.finish(id, exitCode);
      });
    });
    return id;
  }

  write(terminalId: string, data: string): void {
    this.get(terminalId).channel.write(data, 'utf8');
  }

  resize(terminalId: string, size: TerminalSize): void {
    this.get(terminalId).channel.setWindow(size.rows, size.cols, 0, 0);
  }

  /** Ends the shell (the guest sees a hang-up); the exit is reported through the handlers. */
  close(terminalId: string): void {
    const terminal = this.terminals.get(terminalId);
    if (!terminal) return;
    terminal.channel.close();
  }

  /** Every terminal of a workspace ended with no exit code: its connection dropped or it was stopped. */
  endAll(workspaceId: string): void {
    for (const [id, terminal] of this.terminals) {
      if (terminal.workspaceId !== workspaceId) continue;
      terminal.channel.destroy();
      this.finish(id, null);
    }
  }

  private finish(terminalId: string, code: number | null): void {
    const terminal = this.terminals.get(terminalId);
    if (!terminal || terminal.exited) return;
    terminal.exited = true;
    this.terminals.delete(terminalId);
    terminal.handlers.onExit(code);
  }

  private get(terminalId: string): OpenTerminal {
    const terminal = this.terminals.get(terminalId);
    if (!terminal) throw new TidepoolError({ code: 'NOT_FOUND', message: 'That terminal has closed.' });
    return terminal;
  }
}

function terminalRefused(error: Error): TidepoolError {
  return new TidepoolError({
    code: 'GUEST_UNREACHABLE',
    message: 'The workspace refused to open a terminal.',
    hint: 'If many terminals are open, close one you no longer need (sshd allows 10 per connection); otherwise stop and start the workspace.',
    detail: error.message,
  });
}
