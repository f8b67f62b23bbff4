/**
 * Hostile frames over the real WebSocket of `tidepool serve` (the HTTP server, its upgrade with login and
 * Origin checks, the `/api` socket, dispatch, the simulated core), generated with fast-check: text that is
 * not JSON, JSON that is not a call, calls with wrong types, unknown or inherited method names, prototype
 * pollution keys, frames over the size limit, binary frames. Each is answered with a typed error or the
 * connection is closed; the server keeps serving; nothing in the state changes; Object.prototype stays clean.
 * dispatch.test.ts covers every method's payloads directly; this covers the transport in front of it.
 */
import fc from 'fast-check';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { METHOD_NAMES } from '../../src-shared/contract.js';
import { ERROR_CODES, type Result } from '../../src-shared/errors.js';
import type { ServerMessage } from '../../src-shared/transport.js';
import { MAX_PAYLOAD_BYTES } from '../api/dispatch.js';
import { cliEnv, startCli } from '../cli/testing/run-cli.js';
import { simulatedHarness, type Harness } from '../workspaces/test-harness.js';
import { startServer, type RunningServer } from './server.js';

let harness: Harness;
let server: RunningServer;
let rendererDir: string;
let headers: Record<string, string>;
let wsUrl: string;
let workspaceId: string;

beforeAll(async () => {
  harness = await simulatedHarness();
  const workspace = await harness.core.workspaces.create({ name: 'precious' });
  await harness.core.workspaces.settled(workspace.id);
  workspaceId = workspace.id;
  rendererDir = mkdtempSync(join(tmpdir(), 'tidepool-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Tidepool</title>');
  server = await startServer({ core: harness.core, port: 0, rendererDir });
  const login = await fetch(server.loginUrl, { redirect: 'manual' });
  headers = { origin: `http://127.0.0.1:${server.port}`, cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]! };
  wsUrl = `ws://127.0.0.1:${server.port}/api`;
});
afterAll(async () => {
  await server.close();
  await harness.core.workspaces.drain();
  await harness.core.dispose();
  rmSync(rendererDir, { recursive: true, force: true });
});

type Outcome = { kind: 'result'; result: Result<unknown> } | { kind: 'closed'; code: number };

/** One authorised connection that sends raw frames and reports what came back for each. */
class RawConnection {
  private ws: WebSocket | null = null;
  private nextId = 1_000_000;

  private async socket(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return this.ws;
    const ws = new WebSocket(wsUrl, { headers, maxPayload: 64 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    this.ws = ws;
    return ws;
  }

  /** Sends a frame; resolves with the result for `id`, or the close code if the server hung up. */
  async send(frame: string | Buffer, id: number | null, options: { binary?: boolean } = {}): Promise<Outcome> {
    const ws = await this.socket();
    return new Promise<Outcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no answer and no close within 5 s for ${String(frame).slice(0, 120)}`));
      }, 5_000);
      const onMessage = (data: WebSocket.RawData): void => {
        const message = JSON.parse(data.toString()) as ServerMessage;
        if (message.type === 'result' && (id === null || message.id === id)) {
          cleanup();
          resolve({ kind: 'result', result: message.result });
        }
      };
      const onClose = (code: number): void => {
        cleanup();
        resolve({ kind: 'closed', code });
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        ws.off('message', onMessage);
        ws.off('close', onClose);
      };
      ws.on('message', onMessage);
      ws.on('close', onClose);
      ws.send(frame, { binary: options.binary ?? false });
    });
  }

  call(method: string, payloadJson: string): Promise<Outcome> {
    const id = this.nextId++;
    return this.send(`{"type":"call","id":${id},"method":${JSON.stringify(method)},"payload":${payloadJson}}`, id);
  }

  close(): void {
    this.ws?.close();
  }
}

function snapshot(): string {
  return JSON.stringify({ workspaces: harness.store.get('workspaces') ?? {}, settings: harness.store.get('settings') ?? {} });
}

function expectTyped(outcome: Outcome, allowedCloseCodes: number[]): void {
  if (outcome.kind === 'closed') {
    expect(allowedCloseCodes).toContain(outcome.code);
    return;
  }
  expect(outcome.result.ok).toBe(false);
  if (!outcome.result.ok) expect(ERROR_CODES).toContain(outcome.result.error.code);
}

async function stillServing(): Promise<void> {
  const fresh = new RawConnection();
  try {
    const outcome = await fresh.call('listWorkspaces', '{}');
    expect(outcome).toMatchObject({ kind: 'result', result: { ok: true } });
  } finally {
    fresh.close();
  }
}

/** A JSON object text with `key` as an own key (JSON.stringify would drop a `__proto__` property). */
function objectWith(entries: [string, string][]): string {
  return `{${entries.map(([key, json]) => `${JSON.stringify(key)}:${json}`).join(',')}}`;
}

const prototypeKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf', 'hasOwnProperty');
const pollution = fc.constantFrom('{"polluted":true}', '{"isAdmin":true,"runtime":"simulated"}', '{"prototype":{"polluted":true}}', 'null', '"x"', '[1,2]');
/** Field values that look right for the contract, so only the hostile part makes a payload invalid. */
const plausibleField = fc.constantFrom<[string, string]>(
  ['id', JSON.stringify('00000000-0000-4000-8000-000000000000')],
  ['name', '"ok-name"'],
  ['runtime', '"simulated"'],
  ['terminalId', JSON.stringify('00000000-0000-4000-8000-000000000001')],
  ['guestPort', '8080'],
  ['force', 'true'],
  ['keepHome', 'true'],
);

describe('the API WebSocket under hostile frames', () => {
  it('answers text that is not a JSON call by closing the connection, and keeps serving', async () => {
    const before = snapshot();
    const connection = new RawConnection();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.constantFrom('{', '{"type":"call"', '[]', 'null', '42', '"call"', '{"type":"event","event":"log"}', '{"type":"call","id":"1","method":"listWorkspaces"}', '{"type":"call","id":1.5,"method":"listWorkspaces"}'),
          fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
        ),
        async (frame) => {
          const outcome = await connection.send(frame, null);
          // 1007: not JSON (or not UTF-8); 1008: JSON but not a call.
          expectTyped(outcome, [1007, 1008]);
        },
      ),
      { numRuns: 150 },
    );
    connection.close();
    await stillServing();
    expect(snapshot()).toBe(before);
  });

  it('answers calls with unknown, inherited or wrong-typed methods and hostile payloads with a typed error, changing nothing', async () => {
    const before = snapshot();
    const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
    const connection = new RawConnection();
    const payload = fc
      .tuple(fc.array(plausibleField, { maxLength: 3 }), fc.array(fc.tuple(prototypeKeys, pollution), { minLength: 1, maxLength: 3 }))
      .map(([fields, hostile]) => objectWith([...fields, ...hostile]));
    const method = fc.oneof(
      fc.constantFrom(...METHOD_NAMES),
      fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'deleteEverything', ''),
      fc.string({ maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(method, payload, async (name, json) => {
        const outcome = await connection.call(name, json);
        expectTyped(outcome, []);
        if (outcome.kind === 'result' && !outcome.result.ok) expect(outcome.result.error.code).toBe('INVALID_INPUT');
      }),
      { numRuns: 300 },
    );
    // A method that is not a string at all, and a pollution attempt on the frame itself.
    for (const frame of [
      '{"type":"call","id":7,"method":{"toString":"listWorkspaces"},"payload":{}}',
      '{"type":"call","id":8,"method":["deleteWorkspace"],"payload":{}}',
      `{"type":"call","id":9,"method":"deleteWorkspace","payload":{"id":${JSON.stringify(workspaceId)},"__proto__":{"force":true}}}`,
      '{"type":"call","id":10,"method":"updateSettings","payload":{"__proto__":{"runtime":"simulated"}},"__proto__":{"polluted":true}}',
    ]) {
      const id = Number(/"id":(\d+)/.exec(frame)![1]);
      const outcome = await connection.send(frame, id);
      expect(outcome).toMatchObject({ kind: 'result', result: { ok: false, error: { code: 'INVALID_INPUT' } } });
    }
    connection.close();
    await stillServing();
    expect(snapshot()).toBe(before);
    expect(harness.core.workspaces.get(workspaceId).state).toBe('ready');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  });

  it('closes a connection that sends a frame over the size limit (1009), and keeps serving others', async () => {
    const before = snapshot();
    const connection = new RawConnection();
    const huge = `{"type":"call","id":1,"method":"createWorkspace","payload":{"name":"${'a'.repeat(MAX_PAYLOAD_BYTES * 2 + 4096)}"}}`;
    const outcome = await connection.send(huge, 1);
    expect(outcome).toEqual({ kind: 'closed', code: 1009 });
    await stillServing();
    expect(snapshot()).toBe(before);
  });

  it('refuses an oversized value inside a frame the socket accepts with a typed error', async () => {
    const before = snapshot();
    const connection = new RawConnection();
    const big = 'x'.repeat(MAX_PAYLOAD_BYTES + 1024);
    for (const [method, json] of [
      ['createWorkspace', objectWith([['name', JSON.stringify(big)]])],
      ['writeTerminal', objectWith([['terminalId', JSON.stringify('00000000-0000-4000-8000-000000000001')], ['data', JSON.stringify(big)]])],
      ['setNetworkPolicy', objectWith([['id', JSON.stringify(workspaceId)], ['allow', JSON.stringify(Array.from({ length: 100_000 }, () => '10.0.0.0/8'))]])],
    ] as const) {
      const outcome = await connection.call(method, json);
      expect(outcome, method).toMatchObject({ kind: 'result', result: { ok: false, error: { code: 'INVALID_INPUT' } } });
    }
    connection.close();
    await stillServing();
    expect(snapshot()).toBe(before);
  });

  it('closes a connection that sends text that is not UTF-8 (1007), and keeps serving', async () => {
    const connection = new RawConnection();
    const outcome = await connection.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), null, { binary: false });
    expect(outcome).toEqual({ kind: 'closed', code: 1007 });
    await stillServing();
  });

  it('closes a connection that sends binary frames (1003)', async () => {
    const connection = new RawConnection();
    const outcome = await connection.send(Buffer.from('{"type":"call","id":1,"method":"listWorkspaces","payload":{}}'), 1, { binary: true });
    expect(outcome).toEqual({ kind: 'closed', code: 1003 });
    await stillServing();
  });

  it('answers a flood of calls on one connection, every one of them', async () => {
    const connection = new RawConnection();
    const outcomes = await Promise.all(Array.from({ length: 500 }, (_, index) => connection.call(index % 2 ? 'listWorkspaces' : 'noSuchMethod', '{}')));
    expect(outcomes.filter((outcome) => outcome.kind === 'result' && outcome.result.ok)).toHaveLength(250);
    expect(outcomes.filter((outcome) => outcome.kind === 'result' && !outcome.result.ok && outcome.result.error.code === 'INVALID_INPUT')).toHaveLength(250);
    connection.close();
  });
});

describe('a `tidepool serve` process under frames it must refuse', () => {
  it('stays up after an oversized frame and a frame that is not UTF-8, and answers the next client', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tidepool-serve-fuzz-'));
    const child = startCli(['--runtime', 'simulated', '--data-dir', dataDir, 'serve', '--port', '0'], cliEnv());
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await expect.poll(() => /sign in: (\S+)/.exec(output)?.[1], { timeout: 20_000 }).toBeTruthy();
      const loginUrl = new URL(/sign in: (\S+)/.exec(output)![1]!);
      const login = await fetch(loginUrl, { redirect: 'manual' });
      const own = { origin: loginUrl.origin, cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]! };
      const url = `ws://${loginUrl.host}/api`;
      const closeCode = async (frame: Buffer | string): Promise<number> => {
        const ws = new WebSocket(url, { headers: own, maxPayload: 64 * 1024 * 1024 });
        await once(ws, 'open');
        ws.send(frame, { binary: false });
        const [code] = (await once(ws, 'close')) as [number];
        return code;
      };
      expect(await closeCode(`{"type":"call","id":1,"method":"listWorkspaces","payload":"${'a'.repeat(MAX_PAYLOAD_BYTES * 2 + 4096)}"}`)).toBe(1009);
      expect(await closeCode(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toBe(1007);
      // Still the same process, still serving.
      expect(child.exitCode).toBeNull();
      const ws = new WebSocket(url, { headers: own });
      await once(ws, 'open');
      ws.send('{"type":"call","id":2,"method":"listWorkspaces","payload":{}}');
      const [data] = (await once(ws, 'message')) as [WebSocket.RawData];
      expect(JSON.parse(data.toString())).toMatchObject({ type: 'result', id: 2, result: { ok: true } });
      ws.close();
      expect(output).not.toMatch(/Unhandled 'error' event|RangeError/);
    } finally {
      child.kill('SIGINT');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
