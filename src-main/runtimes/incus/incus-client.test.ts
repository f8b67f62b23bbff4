import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { FakeIncusServer, operation, sendAsync, sendError, sendSync } from './fake-incus-server.js';
import { IncusClient } from './incus-client.js';
import { execInstance } from './incus-exec.js';
import { createInstanceFile, getInstance } from './incus-instances.js';

let server: FakeIncusServer;
let client: IncusClient;

beforeEach(async () => {
  server = await new FakeIncusServer().start();
  client = new IncusClient({ kind: 'unix', socketPath: server.socketPath });
});

afterEach(async () => {
  await server.stop();
});

async function failure(promise: Promise<unknown>): Promise<TidepoolError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TidepoolError);
  return error as TidepoolError;
}

describe('IncusClient over a unix socket', () => {
  it('returns the metadata and ETag of a sync reply', async () => {
    server.on('GET', /^\/1\.0\/instances\/ws1$/, (_req, res) => sendSync(res, { name: 'ws1', config: { 'limits.cpu': '2' } }, { ETag: '"abc"' }));
    const { instance, etag } = await getInstance(client, 'ws1');
    expect(instance.config['limits.cpu']).toBe('2');
    expect(etag).toBe('"abc"');
  });

  it('turns an error envelope into a typed error that keeps Incus’s own words', async () => {
    server.on('GET', /^\/1\.0\/instances\/gone$/, (_req, res) => sendError(res, 404, 'Instance not found'));
    const error = await failure(getInstance(client, 'gone'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.detail).toBe('Instance not found');
    expect(error.message).toMatch(/read the instance gone/);
  });

  it('reports a reply that is not JSON as a typed runtime error', async () => {
    server.on('GET', /^\/1\.0$/, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html>not incus</html>');
    });
    const error = await failure(client.query('GET', '/1.0'));
    expect(error.code).toBe('RUNTIME_ERROR');
    expect(error.message).toMatch(/cannot read/);
    expect(error.detail).toContain('<html>not incus</html>');
  });

  it('rejects JSON that is not an Incus envelope', async () => {
    server.on('GET', /^\/1\.0$/, (_req, res) => sendSyncRaw(res, { hello: 'world' }));
    const error = await failure(client.query('GET', '/1.0'));
    expect(error.code).toBe('RUNTIME_ERROR');
  });

  it('says incusd is not running when nothing listens on the socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tp-nosock-'));
    try {
      const absent = new IncusClient({ kind: 'unix', socketPath: join(dir, 'unix.socket') });
      const error = await failure(absent.query('GET', '/1.0'));
      expect(error.code).toBe('RUNTIME_UNAVAILABLE');
      expect(error.hint).toMatch(/setup-incus\.sh/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('times out a request the server never answers', async () => {
    server.on('GET', /^\/1\.0$/, () => undefined);
    const started = Date.now();
    const error = await failure(client.query('GET', '/1.0', { timeoutMs: 200 }));
    expect(error.code).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('cancels a request when the signal aborts', async () => {
    server.on('GET', /^\/1\.0$/, () => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(client.query('GET', '/1.0', { signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
  });

  it('sends file content as application/octet-stream (a form body would be written as an empty file)', async () => {
    server.on('POST', /^\/1\.0\/instances\/ws1\/files/, (_req, res) => sendSync(res, {}));
    await createInstanceFile(client, 'ws1', '/etc/x', { type: 'file', uid: 0, gid: 0, mode: 0o644, content: 'a=b&c=d' });
    const request = server.requests.at(-1);
    expect(request?.headers['content-type']).toBe('application/octet-stream');
    expect(request?.headers['x-incus-mode']).toBe('0644');
    expect(request?.body.toString()).toBe('a=b&c=d');
    expect(request?.path).toBe('/1.0/instances/ws1/files?path=%2Fetc%2Fx');
  });

  it('repeats a file write that raced the exit of Incus’s file helper, and only that failure', async () => {
    let calls = 0;
    server.on('POST', /^\/1\.0\/instances\/ws1\/files/, (_req, res) => {
      calls += 1;
      if (calls <= 3) sendError(res, 500, 'dial unix /proc/self/fd/35/forkfile.sock: connect: no such file or directory');
      else sendSync(res, {});
    });
    await createInstanceFile(client, 'ws1', '/etc/x', { type: 'file', uid: 0, gid: 0, mode: 0o644, content: 'x' });
    expect(calls).toBe(4);
    server.on('POST', /^\/1\.0\/instances\/ws1\/files/, (_req, res) => {
      calls += 1;
      sendError(res, 500, 'Failed to write file: no space left on device');
    });
    const error = await failure(createInstanceFile(client, 'ws1', '/etc/x', { type: 'file', uid: 0, gid: 0, mode: 0o644, content: 'x' }));
    expect(error.detail).toContain('no space left');
    expect(calls).toBe(5);
    server.on('POST', /^\/1\.0\/instances\/ws1\/files/, (_req, res) => {
      calls += 1;
      sendError(res, 500, 'dial unix /proc/self/fd/35/forkfile.sock: connect: no such file or directory');
    });
    const persistent = await failure(createInstanceFile(client, 'ws1', '/etc/x', { type: 'file', uid: 0, gid: 0, mode: 0o644, content: 'x' }));
    expect(persistent.detail).toContain('forkfile');
    expect(calls).toBe(11);
  });
});

describe('async operations', () => {
  it('waits for an operation across wait slices that end while it still runs', async () => {
    let waits = 0;
    server
      .on('POST', /^\/1\.0\/instances$/, (_req, res) => sendAsync(res, operation('op1', 103)))
      .on('GET', /^\/1\.0\/operations\/op1\/wait/, (_req, res) => {
        waits += 1;
        // Incus answers a wait whose own timeout ran out with an error envelope.
        if (waits < 3) sendError(res, 500, 'context deadline exceeded');
        else sendSync(res, operation('op1', 200, { metadata: { done: true } }));
      })
      .on('GET', /^\/1\.0\/operations\/op1$/, (_req, res) => sendSync(res, operation('op1', 103)));
    const result = await client.run('POST', '/1.0/instances', { body: { name: 'x' } });
    expect(result.status_code).toBe(200);
    expect(result.metadata).toEqual({ done: true });
    expect(waits).toBe(3);
    expect(server.requests.find((r) => r.path.startsWith('/1.0/operations/op1/wait'))?.path).toMatch(/timeout=\d+/);
  });

  it('fails with the operation’s own error when it fails', async () => {
    server
      .on('PUT', /^\/1\.0\/instances\/ws1\/state$/, (_req, res) => sendAsync(res, operation('op2', 103)))
      .on('GET', /^\/1\.0\/operations\/op2\/wait/, (_req, res) => sendError(res, 500, 'Failed to start device "eth0": boom'))
      .on('GET', /^\/1\.0\/operations\/op2$/, (_req, res) => sendError(res, 404, 'Operation not found'));
    const error = await failure(client.run('PUT', '/1.0/instances/ws1/state', { body: { action: 'start' }, action: 'start ws1' }));
    expect(error.code).toBe('RUNTIME_ERROR');
    expect(error.detail).toBe('Failed to start device "eth0": boom');
    expect(error.message).toMatch(/could not start ws1/);
  });

  it('fails with the err of an operation that ends in Failure', async () => {
    server
      .on('DELETE', /^\/1\.0\/instances\/ws1$/, (_req, res) => sendAsync(res, operation('op3', 103)))
      .on('GET', /^\/1\.0\/operations\/op3\/wait/, (_req, res) => sendSync(res, operation('op3', 400, { err: 'disk busy' })));
    const error = await failure(client.run('DELETE', '/1.0/instances/ws1'));
    expect(error.detail).toBe('disk busy');
  });

  it('cancels the operation on the server when the caller cancels', async () => {
    server
      .on('POST', /^\/1\.0\/instances$/, (_req, res) => sendAsync(res, operation('op4', 103)))
      .on('GET', /^\/1\.0\/operations\/op4\/wait/, () => undefined)
      .on('DELETE', /^\/1\.0\/operations\/op4$/, (_req, res) => sendSync(res, {}));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(client.run('POST', '/1.0/instances', { body: {}, signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
    await expect.poll(() => server.requests.some((r) => r.method === 'DELETE' && r.path === '/1.0/operations/op4')).toBe(true);
  });

  it('gives up with TIMEOUT when the operation outlives its deadline', async () => {
    server
      .on('POST', /^\/1\.0\/instances$/, (_req, res) => sendAsync(res, operation('op5', 103)))
      .on('GET', /^\/1\.0\/operations\/op5\/wait/, (_req, res) => {
        setTimeout(() => sendSync(res, operation('op5', 103)), 100);
      })
      .on('DELETE', /^\/1\.0\/operations\/op5$/, (_req, res) => sendSync(res, {}));
    const error = await failure(client.run('POST', '/1.0/instances', { body: {}, waitTimeoutMs: 300, action: 'create x' }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/did not create x within/);
  });
});

describe('a full disk', () => {
  const unpackFailed =
    'Failed creating instance from image: Unpack failed: Failed to run: unsquashfs -f -d /var/lib/incus/storage-pools/small/images/e576/rootfs: exit status 1 (Write on output file failed because No space left on device)';

  it('is DISK_FULL, with Incus’s own words and what to do, when an operation fails for it', async () => {
    server
      .on('POST', /^\/1\.0\/instances$/, (_req, res) => sendAsync(res, operation('full1', 103)))
      .on('GET', /^\/1\.0\/operations\/full1\/wait/, (_req, res) => sendSync(res, operation('full1', 400, { err: unpackFailed })));
    const error = await failure(client.run('POST', '/1.0/instances', { body: {}, action: 'create the instance tp-web' }));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toBe('Incus on ' + server.socketPath + ' ran out of disk space and could not create the instance tp-web.');
    expect(error.hint).toMatch(/Free space in the Incus storage pool/);
    expect(error.detail).toBe(unpackFailed);
  });

  it('is DISK_FULL when a call is refused for it at once', async () => {
    server.on('POST', /^\/1\.0\/storage-pools\/tidepool\/volumes\/custom$/, (_req, res) => sendError(res, 500, 'Failed creating volume: write /var/lib/incus/x: no space left on device'));
    const error = await failure(client.query('POST', '/1.0/storage-pools/tidepool/volumes/custom', { body: {}, action: 'create the volume tp-web-home' }));
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toBe('Incus ran out of disk space and could not create the volume tp-web-home.');
  });

  it('leaves other failures as runtime errors', async () => {
    server.on('POST', /^\/1\.0\/instances$/, (_req, res) => sendError(res, 500, 'Failed to create instance: space on device reserved'));
    expect((await failure(client.query('POST', '/1.0/instances', { body: {} }))).code).toBe('RUNTIME_ERROR');
  });
});

describe('exec over websockets', () => {
  it('collects output, feeds stdin, and closes each stream at Incus’s zero-length end marker', async () => {
    let stdin = Buffer.alloc(0);
    let finished = false;
    let closedByClient = 0;
    const waiters: (() => void)[] = [];
    const finish = (): void => {
      finished = true;
      for (const wake of waiters.splice(0)) wake();
    };
    server
      .on('POST', /^\/1\.0\/instances\/ws1\/exec$/, (req, res) => {
        expect(JSON.parse(req.body.toString())).toMatchObject({ command: ['cat'], 'wait-for-websocket': true, interactive: false });
        sendAsync(res, operation('ex1', 103, { metadata: { fds: { '0': 's0', '1': 's1', '2': 's2', control: 'sc' } } }));
      })
      .on('GET', /^\/1\.0\/operations\/ex1\/wait/, (_req, res) => {
        const answer = (): void => sendSync(res, operation('ex1', 200, { metadata: { return: 3 } }));
        if (finished) answer();
        else waiters.push(answer);
      })
      .onWebSocket((path, socket) => {
        const secret = new URL(path, 'http://x').searchParams.get('secret');
        if (secret === 's0') {
          socket.on('message', (data: Buffer) => {
            if (data.length === 0) {
              // End of stdin: echo it back on stdout like `cat`, then end the output streams.
              output.send(stdin);
              output.send(Buffer.alloc(0));
              errors.send(Buffer.from('warn\n'));
              errors.send(Buffer.alloc(0));
            } else stdin = Buffer.concat([stdin, data]);
          });
        }
        if (secret === 's1') output = socket;
        if (secret === 's2') errors = socket;
        if (secret === 's1' || secret === 's2') {
          // The operation only ends once the client has closed its output sockets.
          socket.on('close', () => {
            closedByClient += 1;
            if (closedByClient === 2) finish();
          });
        }
      });
    let output!: import('ws').WebSocket;
    let errors!: import('ws').WebSocket;
    const result = await execInstance(client, 'ws1', { command: ['cat'], stdin: 'hello tidepool', timeoutMs: 5_000 });
    expect(result.exitCode).toBe(3);
    expect(result.stdout.toString()).toBe('hello tidepool');
    expect(result.stderr.toString()).toBe('warn\n');
  });
});

function sendSyncRaw(res: import('node:http').ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
