/**
 * The one SSH connection Tidepool keeps to a workspace. It connects with retries and back-off while sshd
 * comes up, checks the pinned host key, sends keepalives, and reconnects on its own when the link drops,
 * until it is closed. The IDE tunnel, terminals, port forwards and commands all share it.
 */
import type { Duplex } from 'node:stream';
import ssh2, { type Client, type ServerHostKeyAlgorithm } from 'ssh2';
import { TidepoolError, toTidepoolError } from '../../src-shared/errors.js';
import { cancelledError, sleep, throwIfAborted } from '../util/abort.js';
import { isLocalNetworkRefusal } from '../runtimes/tart/local-network.js';
import { connectFailure, errorCode, retryReason } from './connect-errors.js';
import type { HostKeyVerdict } from './host-keys.js';

export interface ConnectionTiming {
  /** How long the first connect keeps retrying before it gives up. */
  retryBudgetMs: number;
  firstRetryDelayMs: number;
  maxRetryDelayMs: number;
  /** Per attempt: TCP connect plus the SSH handshake. */
  handshakeTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** Unanswered keepalives before the link counts as dead (and is re-established). */
  keepaliveCountMax: number;
  /** Longest pause between reconnect attempts after the link dropped. */
  maxReconnectDelayMs: number;
  /** macOS: how long "no route to host" may last (time to answer the Local Network prompt) before giving up. */
  localNetworkGraceMs: number;
}

export const DEFAULT_TIMING: ConnectionTiming = {
  retryBudgetMs: 90_000,
  firstRetryDelayMs: 100,
  maxRetryDelayMs: 2_000,
  handshakeTimeoutMs: 15_000,
  keepaliveIntervalMs: 10_000,
  keepaliveCountMax: 3,
  maxReconnectDelayMs: 5_000,
  localNetworkGraceMs: 20_000,
};

export interface ConnectionOptions {
  /** The workspace's name, for messages. */
  name: string;
  host: string;
  port: number;
  /** Opens the transport instead of a TCP connection to host:port (a workspace on a remote Incus server). */
  openStream?: ((signal: AbortSignal) => Promise<Duplex>) | null;
  username: string;
  privateKey: string;
  /** SSH_AUTH_SOCK to forward into the guest, or null for no agent forwarding. */
  agentSocket: string | null;
  /** Host-key algorithms to accept (the pinned key's), or null before a key is pinned. */
  hostKeyAlgorithms(): string[] | null;
  verifyHostKey(key: Buffer): HostKeyVerdict;
  platform: string;
  timing: ConnectionTiming;
  log(line: string, level?: 'info' | 'warn' | 'error'): void;
  /** The link dropped: sessions on it (terminals) are gone; forwards wait for the reconnect. */
  onDrop?(): void;
  onRestore?(): void;
}

export class GuestConnection {
  private client: Client | null = null;
  private failure: TidepoolError | null = null;
  private closed = false;
  private readonly lifetime = new AbortController();
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: ConnectionOptions) {}

  /** The first connect: retries within the budget, reporting each retry; throws a typed error at the end. */
  async open(signal: AbortSignal, progress: (message: string) => void): Promise<void> {
    const both = AbortSignal.any([signal, this.lifetime.signal]);
    await this.connectWithRetry(both, this.options.timing.retryBudgetMs, (attempt, error) => {
      progress(`Waiting for SSH on ${this.options.host} (${retryReason(error, this.options.platform)}; attempt ${attempt})`);
    });
  }

  get connected(): boolean {
    return this.client !== null;
  }

  /** The live client; while reconnecting, waits up to `waitMs` for the link to come back. */
  async ready(waitMs = 15_000): Promise<Client> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      if (this.client) return this.client;
      if (this.failure) throw this.failure;
      if (this.closed) {
        throw new TidepoolError({ code: 'INVALID_STATE', message: `“${this.options.name}” is not running.` });
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new TidepoolError({
          code: 'GUEST_UNREACHABLE',
          message: `The connection to “${this.options.name}” was lost; Tidepool is reconnecting.`,
          hint: 'Try again in a moment. If it stays unreachable, stop and start the workspace.',
        });
      }
      await new Promise<void>((resolve) => {
        const waiters = this.waiters;
        const timer = setTimeout(done, remaining);
        function done(): void {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.lifetime.abort();
    const client = this.client;
    this.client = null;
    this.wake();
    if (!client) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.destroy();
        resolve();
      }, 2_000);
      client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      client.end();
    });
  }

  /** Connects and makes the new client the current one. */
  private async connectWithRetry(
    signal: AbortSignal,
    budgetMs: number | null,
    onRetry: (attempt: number, error: unknown) => void,
  ): Promise<void> {
    const { timing } = this.options;
    const started = Date.now();
    const deadline = budgetMs === null ? Number.POSITIVE_INFINITY : started + budgetMs;
    let delay = timing.firstRetryDelayMs;
    const maxDelay = budgetMs === null ? timing.maxReconnectDelayMs : timing.maxRetryDelayMs;
    let refusedSince: number | null = null;
    const failure = (error: unknown): TidepoolError =>
      connectFailure(error, {
        name: this.options.name,
        address: this.options.host,
        port: this.options.port,
        platform: this.options.platform,
        waitedMs: Date.now() - started,
      });
    for (let attempt = 1; ; attempt += 1) {
      throwIfAborted(signal);
      try {
        const remaining = deadline - Date.now();
        await this.connectOnce(signal, Math.max(1_000, Math.min(timing.handshakeTimeoutMs, remaining)));
        return;
      } catch (error) {
        if (error instanceof TidepoolError && (error.code === 'HOST_KEY_CHANGED' || error.code === 'CANCELLED')) throw error;
        throwIfAborted(signal);
        if (Date.now() + delay > deadline) throw failure(error);
        // macOS refuses at once, every time, until the user allows Tidepool on the local network.
        const refused = this.options.platform === 'darwin' && isLocalNetworkRefusal(error);
        refusedSince = refused ? (refusedSince ?? Date.now()) : null;
        if (refusedSince !== null && Date.now() - refusedSince >= timing.localNetworkGraceMs) throw failure(error);
        onRetry(attempt, error);
        await sleep(delay, signal);
        // A refused connect is answered at once and costs nothing: while sshd comes up, look again at the short
        // interval so the first connect lands as soon as it listens. Anything else backs off.
        const refusedNow = budgetMs !== null && errorCode(error) === 'ECONNREFUSED';
        delay = refusedNow ? timing.firstRetryDelayMs : Math.min(Math.round(delay * 1.6), maxDelay);
      }
    }
  }

  private async connectOnce(signal: AbortSignal, handshakeTimeoutMs: number): Promise<Client> {
    const { options } = this;
    const sock = options.openStream ? await options.openStream(signal) : null;
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let hostKeyError: TidepoolError | null = null;
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        client.destroy();
        reject(hostKeyError ?? error);
      };
      const onAbort = (): void => fail(cancelledError());
      signal.addEventListener('abort', onAbort, { once: true });
      client.on('error', (error) => {
        if (settled) options.log(`SSH connection error: ${error.message}`, 'warn');
        else fail(error);
      });
      client.once('close', () => {
        if (!settled) fail(new Error('The connection closed during the SSH handshake.'));
        else if (this.client === client) this.onLinkLost();
      });
      client.once('ready', () => {
        if (settled) return;
        if (this.closed) {
          fail(cancelledError());
          return;
        }
        settled = true;
        signal.removeEventListener('abort', onAbort);
        this.client = client;
        resolve(client);
      });
      const algorithms = options.hostKeyAlgorithms();
      client.connect({
        ...(sock ? { sock } : { host: options.host, port: options.port }),
        username: options.username,
        // Only Tidepool's key, even when the user's agent is forwarded: never offer their keys to a guest.
        privateKey: options.privateKey,
        authHandler: ['publickey'],
        hostVerifier: (key: Buffer) => {
          const verdict = options.verifyHostKey(key);
          if (!verdict.ok) hostKeyError = verdict.error;
          else if (verdict.pinnedNow) options.log(`pinned the workspace's SSH host key ${verdict.fingerprint}`);
          return verdict.ok;
        },
        ...(algorithms ? { algorithms: { serverHostKey: algorithms as ServerHostKeyAlgorithm[] } } : {}),
        readyTimeout: handshakeTimeoutMs,
        keepaliveInterval: options.timing.keepaliveIntervalMs,
        keepaliveCountMax: options.timing.keepaliveCountMax,
        ...(options.agentSocket ? { agent: options.agentSocket, agentForward: true } : {}),
      });
    });
  }

  /** The link dropped by itself: tell the sessions, then reconnect in the background until closed. */
  private onLinkLost(): void {
    this.client = null;
    if (this.closed) return;
    this.options.log('SSH connection lost; reconnecting', 'warn');
    this.options.onDrop?.();
    const started = Date.now();
    this.connectWithRetry(this.lifetime.signal, null, () => undefined).then(
      () => {
        this.options.log(`SSH connection restored after ${Date.now() - started} ms`);
        this.wake();
        this.options.onRestore?.();
      },
      (error: unknown) => {
        if (this.closed) return;
        this.failure = toTidepoolError(error);
        this.options.log(`SSH reconnect stopped: ${this.failure.message}`, 'error');
        this.wake();
      },
    );
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
    this.waiters.clear();
  }
}
