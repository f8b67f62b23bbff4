/**
 * A long-lived command in an instance as one byte stream: what is written goes to its stdin, its stdout is
 * what is read. Tidepool runs `sshd -i` this way to reach a workspace on a remote Incus server, whose
 * address lives on that server's bridge: SSH then travels inside the authenticated Incus API connection,
 * and nothing new listens on the server's network.
 */
import { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { TidepoolError } from '../../../src-shared/errors.js';
import type { IncusClient } from './incus-client.js';

const SIGKILL = 9;
/** The last bytes of stderr kept to explain a stream that ended early. */
const STDERR_KEPT = 4096;

interface ExecOperationMetadata {
  fds?: Record<string, string>;
}

export async function openExecStream(client: IncusClient, name: string, command: string[], signal?: AbortSignal): Promise<Duplex> {
  const operation = await client.startOperation<ExecOperationMetadata>('POST', `/1.0/instances/${encodeURIComponent(name)}/exec`, {
    body: { command, environment: {}, 'wait-for-websocket': true, interactive: false },
    action: `open a stream to ${name}`,
    ...(signal ? { signal } : {}),
  });
  const fds = operation.metadata?.fds ?? {};
  const open = (fd: string): Promise<WebSocket> => {
    const secret = fds[fd];
    if (!secret) return Promise.reject(new TidepoolError({ code: 'RUNTIME_ERROR', message: `Incus gave no ${fd} stream for ${name}.` }));
    return client.websocket(`/1.0/operations/${encodeURIComponent(operation.id)}/websocket?secret=${encodeURIComponent(secret)}`, signal);
  };
  const opened = await Promise.allSettled([open('control'), open('0'), open('1'), open('2')]);
  const failed = opened.find((result) => result.status === 'rejected');
  if (failed) {
    for (const result of opened) if (result.status === 'fulfilled') result.value.terminate();
    throw failed.reason;
  }
  const [control, stdin, stdout, stderr] = opened.map((result) => (result as PromiseFulfilledResult<WebSocket>).value) as [
    WebSocket,
    WebSocket,
    WebSocket,
    WebSocket,
  ];
  return new ExecStream(control, stdin, stdout, stderr);
}

class ExecStream extends Duplex {
  private stderrTail = Buffer.alloc(0);

  constructor(
    private readonly control: WebSocket,
    private readonly stdin: WebSocket,
    private readonly stdout: WebSocket,
    private readonly stderr: WebSocket,
  ) {
    // When the command's output ends the stream closes, as a TCP connection would (SSH watches for close).
    super({ allowHalfOpen: false });
    stdout.on('message', (data: Buffer) => {
      // Incus ends an output stream with an empty message; the client closes the socket then.
      if (data.length === 0) {
        this.push(null);
        stdout.close();
        return;
      }
      if (!this.push(data)) stdout.pause();
    });
    stdout.once('close', () => this.push(null));
    stderr.on('message', (data: Buffer) => {
      if (data.length === 0) {
        stderr.close();
        return;
      }
      this.stderrTail = Buffer.concat([this.stderrTail, data]).subarray(-STDERR_KEPT);
    });
    for (const socket of [control, stdin, stdout, stderr]) socket.once('error', (error) => this.destroy(error));
  }

  /** What the command wrote to stderr lately (why it ended, when it did early). */
  diagnostics(): string {
    return this.stderrTail.toString('utf8').trim();
  }

  override _read(): void {
    if (this.stdout.isPaused) this.stdout.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.stdin.readyState !== this.stdin.OPEN) {
      callback(new Error('the stream to the instance is closed'));
      return;
    }
    this.stdin.send(chunk, { binary: true }, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // An empty message is end-of-input for the command's stdin.
    if (this.stdin.readyState === this.stdin.OPEN) this.stdin.send(Buffer.alloc(0), { binary: true }, () => callback());
    else callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const sockets = [this.control, this.stdin, this.stdout, this.stderr];
    const closeAll = (): void => {
      for (const socket of sockets) if (socket.readyState !== socket.CLOSED) socket.terminate();
    };
    // The command must not outlive its stream: kill it, then drop the sockets even if Incus never answers.
    if (this.control.readyState === this.control.OPEN) this.control.send(JSON.stringify({ command: 'signal', signal: SIGKILL }), closeAll);
    else closeAll();
    callback(error);
  }
}
