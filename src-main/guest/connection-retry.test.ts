import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TidepoolError } from '../../src-shared/errors.js';
import { DEFAULT_TIMING, GuestConnection } from './connection-manager.js';
import { generateEd25519KeyPair } from './ssh-key.js';

/** A loopback port with nothing listening: every connect is refused at once, as while sshd is coming up. */
function refusingPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('first SSH connect while sshd is not up yet', () => {
  it('keeps looking at the short first interval instead of backing off, so it connects as soon as sshd listens', async () => {
    const port = await refusingPort();
    const attempts: string[] = [];
    const connection = new GuestConnection({
      name: 'booting',
      host: '127.0.0.1',
      port,
      username: 'dev',
      privateKey: generateEd25519KeyPair().private,
      agentSocket: null,
      hostKeyAlgorithms: () => null,
      verifyHostKey: () => ({ ok: true, pinnedNow: false, fingerprint: 'SHA256:test' }),
      platform: 'linux',
      // With back-off from 100 ms (×1.6, up to 2 s) this budget would allow about 6 attempts.
      timing: { ...DEFAULT_TIMING, retryBudgetMs: 2_000, firstRetryDelayMs: 100, maxRetryDelayMs: 2_000 },
      log: () => undefined,
    });
    const error = await connection.open(new AbortController().signal, (message) => attempts.push(message)).catch((caught: unknown) => caught);
    await connection.close();
    expect(error).toBeInstanceOf(TidepoolError);
    expect((error as TidepoolError).code).toBe('GUEST_UNREACHABLE');
    expect(attempts.every((message) => message.includes('SSH is not up yet'))).toBe(true);
    expect(attempts.length).toBeGreaterThanOrEqual(12);
  });
});
