/**
 * The one SSH session of an image bake: a password login to the freshly booted build VM (Tart's Debian
 * image ships `admin`/`admin` with passwordless sudo), commands with their output streamed line by line,
 * and file uploads over the same session. The build VM's host key is accepted as is: it was generated
 * moments ago in a VM only this Mac can reach, and it is deleted before the image is kept.
 */
import ssh2, { type Client, type ClientChannel } from 'ssh2';
import { TidepoolError } from '../../../src-shared/errors.js';
import { cancelledError, sleep } from '../../util/abort.js';
import { localNetworkRefusal } from './local-network.js';

export interface ExecResult {
  /** null when the connection ended before the command did (e.g. the guest powered off). */
  code: number | null;
  /** The last lines of stdout and stderr together. */
  tail: string;
}

export interface BakeSession {
  exec(command: string, options?: { stdin?: string | Buffer; onLine?: (line: string) => void; signal?: AbortSignal }): Promise<ExecResult>;
  upload(remotePath: string, content: string | Buffer): Promise<void>;
  close(): void;
}

export interface PasswordLogin {
  host: string;
  port?: number;
  username: string;
  password: string;
}

export interface ConnectOptions {
  /** How long sshd gets to come up. */
  timeoutMs: number;
  signal: AbortSignal;
  platform?: string;
  /** How long connections refused with EHOSTUNREACH are retried before it counts as macOS's Local Network block. */
  unreachableGraceMs?: number;
}

const TAIL_LINES = 30;

function tryOnce(login: PasswordLogin): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.once('ready', () => resolve(client));
    client.once('error', (error) => {
      client.end();
      reject(error);
    });
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => login.password)));
    client.connect({
      host: login.host,
      port: login.port ?? 22,
      username: login.username,
      password: login.password,
      tryKeyboard: true,
      readyTimeout: 20_000,
      hostVerifier: () => true,
    });
  });
}

/** Logs in with a password, retrying while sshd comes up. */
export async function connectWithPassword(login: PasswordLogin, options: ConnectOptions): Promise<BakeSession> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const grace = options.unreachableGraceMs ?? 10_000;
  let last: unknown = null;
  for (;;) {
    if (options.signal.aborted) throw cancelledError();
    try {
      return session(await tryOnce(login));
    } catch (error) {
      last = error;
      const denied = Date.now() - started >= grace ? localNetworkRefusal(error, login.host, options.platform) : null;
      if (denied) throw denied;
      const level = (error as { level?: string }).level;
      if (level === 'client-authentication') {
        throw new TidepoolError({
          code: 'RUNTIME_ERROR',
          message: `The build VM at ${login.host} did not accept the image's ${login.username} login.`,
          hint: 'The base image in images/recipe/versions.env must be one of Tart’s published Linux images (admin/admin).',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(2000, Math.max(0, deadline - Date.now())), options.signal);
  }
  throw new TidepoolError({
    code: 'GUEST_UNREACHABLE',
    message: `The build VM at ${login.host} did not answer over SSH within ${Math.round(options.timeoutMs / 1000)} s.`,
    hint: 'Open the bake log to see how far the VM got, then build the image again.',
    detail: last instanceof Error ? last.message : String(last),
  });
}

function session(client: Client): BakeSession {
  const exec: BakeSession['exec'] = (command, options = {}) =>
    new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(cancelledError());
        return;
      }
      client.exec(command, (error, stream: ClientChannel) => {
        if (error) {
          reject(error);
          return;
        }
        const tail: string[] = [];
        let code: number | null = null;
        const partial = { out: '', err: '' };
        const onData = (which: 'out' | 'err') => (chunk: Buffer) => {
          const lines = (partial[which] + chunk.toString('utf8')).split(/\r?\n/);
          partial[which] = lines.pop() ?? '';
          for (const line of lines) emit(line);
        };
        const emit = (line: string): void => {
          if (!line.trim()) return;
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          options.onLine?.(line);
        };
        const onAbort = (): void => {
          stream.close();
          reject(cancelledError());
        };
        options.signal?.addEventListener('abort', onAbort, { once: true });
        stream.on('data', onData('out'));
        stream.stderr.on('data', onData('err'));
        stream.on('exit', (exitCode: number | null) => {
          code = exitCode;
        });
        stream.on('close', () => {
          options.signal?.removeEventListener('abort', onAbort);
          emit(partial.out);
          emit(partial.err);
          resolve({ code, tail: tail.join('\n') });
        });
        if (options.stdin !== undefined) stream.end(options.stdin);
        else stream.end();
      });
    });
  return {
    exec,
    upload: async (remotePath, content) => {
      const result = await exec(`cat > '${remotePath.replace(/'/g, `'\\''`)}'`, { stdin: content });
      if (result.code !== 0) {
        throw new TidepoolError({
          code: 'RUNTIME_ERROR',
          message: `Tidepool could not copy ${remotePath} into the build VM.`,
          hint: 'Build the image again; if it keeps failing, the VM’s disk may be full.',
          detail: result.tail,
        });
      }
    },
    close: () => client.end(),
  };
}
