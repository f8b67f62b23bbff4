/**
 * Runs a command in an instance over Incus's exec websockets (POST /1.0/instances/<n>/exec with
 * wait-for-websocket): one socket per stream plus a control socket; the command starts once all are
 * connected. Incus marks the end of an output stream with a zero-length message and the client has to
 * close that socket then, or the operation never finishes.
 */
import type WebSocket from 'ws';
import { TidepoolError } from '../../../src-shared/errors.js';
import { cancelledError } from '../../util/abort.js';
import type { IncusClient } from './incus-client.js';

export interface ExecRequest {
  command: string[];
  /** Numeric uid/gid inside the guest; root when left out. */
  user?: number;
  group?: number;
  cwd?: string;
  environment?: Record<string, string>;
  stdin?: Buffer | string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
}

interface ExecOperationMetadata {
  fds?: Record<string, string>;
  return?: number;
}

const SIGKILL = 9;

export async function execInstance(client: IncusClient, name: string, request: ExecRequest): Promise<ExecResult> {
  const timeoutMs = request.timeoutMs ?? 120_000;
  // The deadline covers every phase (start, streams, exit): a command that never ends, or an incusd that
  // stops answering, ends the exec with TIMEOUT instead of holding the caller forever.
  const expired = new AbortController();
  const timer = setTimeout(() => expired.abort(), timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, expired.signal]) : expired.signal;
  try {
    return await execWithin(client, name, { ...request, signal }, Date.now() + timeoutMs);
  } catch (error) {
    if (expired.signal.aborted && !request.signal?.aborted) {
      throw new TidepoolError({
        code: 'TIMEOUT',
        message: `The command ${request.command[0] ?? ''} in ${name} did not finish within ${Math.round(timeoutMs / 1000)} s.`,
        hint: 'The workspace or Incus may be overloaded or stuck; try again, or stop and start the workspace.',
        detail: request.command.join(' ').slice(0, 300),
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function execWithin(client: IncusClient, name: string, request: ExecRequest & { signal: AbortSignal }, deadline: number): Promise<ExecResult> {
  const operation = await client.startOperation<ExecOperationMetadata>('POST', `/1.0/instances/${encodeURIComponent(name)}/exec`, {
    body: {
      command: request.command,
      environment: request.environment ?? {},
      'wait-for-websocket': true,
      interactive: false,
      ...(request.user !== undefined ? { user: request.user } : {}),
      ...(request.group !== undefined ? { group: request.group } : {}),
      ...(request.cwd ? { cwd: request.cwd } : {}),
    },
    action: `run a command in ${name}`,
    signal: request.signal,
  });
  const fds = operation.metadata?.fds ?? {};
  const secretFor = (fd: string): string => {
    const secret = fds[fd];
    if (!secret) throw new TidepoolError({ code: 'RUNTIME_ERROR', message: `Incus gave no ${fd} stream for the command in ${name}.` });
    return secret;
  };
  const open = (fd: string): Promise<WebSocket> =>
    client.websocket(`/1.0/operations/${encodeURIComponent(operation.id)}/websocket?secret=${encodeURIComponent(secretFor(fd))}`, request.signal);
  const opened = await Promise.allSettled([open('control'), open('0'), open('1'), open('2')]);
  const failed = opened.find((result) => result.status === 'rejected');
  if (failed) {
    for (const result of opened) if (result.status === 'fulfilled') result.value.terminate();
    throw failed.reason;
  }
  const sockets = opened.map((result) => (result as PromiseFulfilledResult<WebSocket>).value);
  const [control, stdin, stdout, stderr] = sockets as [WebSocket, WebSocket, WebSocket, WebSocket];
  const closeAll = (): void => {
    for (const socket of sockets) if (socket.readyState !== socket.CLOSED) socket.terminate();
  };
  // Kill the command, then drop the streams: their readers end even if Incus never answers again.
  const onAbort = (): void => {
    if (control.readyState === control.OPEN) control.send(JSON.stringify({ command: 'signal', signal: SIGKILL }), closeAll);
    else closeAll();
  };
  if (request.signal.aborted) onAbort();
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const [out, err] = await Promise.all([
      collect(stdout),
      collect(stderr),
      (async () => {
        if (request.stdin !== undefined && request.stdin.length > 0) stdin.send(Buffer.from(request.stdin));
        // An empty message is end-of-input for the command's stdin.
        stdin.send(Buffer.alloc(0));
      })(),
    ]);
    const finished = await client.waitOperation<ExecOperationMetadata>(operation.id, {
      timeoutMs: Math.max(1_000, deadline - Date.now()),
      action: `finish the command in ${name}`,
      signal: request.signal,
    });
    if (request.signal.aborted) throw cancelledError();
    return { exitCode: finished.metadata?.return ?? -1, stdout: out, stderr: err };
  } catch (error) {
    throw request.signal.aborted ? cancelledError() : error;
  } finally {
    request.signal.removeEventListener('abort', onAbort);
    for (const socket of sockets) if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close();
  }
}

/** Reads one output stream until Incus's zero-length end marker (or the socket closes), then closes it. */
function collect(socket: WebSocket): Promise<Buffer> {
  return new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    const done = (): void => {
      socket.removeAllListeners('message');
      if (socket.readyState === socket.OPEN) socket.close();
      resolve(Buffer.concat(chunks));
    };
    socket.on('message', (data: Buffer) => {
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (chunk.length === 0) {
        done();
        return;
      }
      chunks.push(chunk);
    });
    socket.once('close', done);
    socket.once('error', done);
  });
}

/** Runs a command and fails with the command's own output when it exits non-zero. */
export async function execChecked(client: IncusClient, name: string, request: ExecRequest, what: string): Promise<ExecResult> {
  const result = await execInstance(client, name, request);
  if (result.exitCode !== 0) {
    throw new TidepoolError({
      code: 'RUNTIME_ERROR',
      message: `Tidepool could not ${what} in ${name}.`,
      detail: `exit ${result.exitCode}: ${(result.stderr.toString('utf8') || result.stdout.toString('utf8')).trim().slice(0, 2000)}`,
    });
  }
  return result;
}
