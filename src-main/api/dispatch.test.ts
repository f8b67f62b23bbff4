import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../src-shared/contract.js';
import { simulatedHarness, type Harness } from '../workspaces/test-harness.js';
import { dispatch, type Handlers } from './dispatch.js';
import { createHandlers } from './handlers.js';

let harness: Harness;
let handlers: Handlers;

beforeEach(async () => {
  harness = await simulatedHarness();
  handlers = createHandlers(harness.core);
});
afterEach(async () => {
  await harness.core.workspaces.drain();
  await harness.core.dispose();
});

function snapshot() {
  return JSON.stringify({ workspaces: harness.store.get('workspaces') ?? {}, settings: harness.store.get('settings') ?? {} });
}

describe('dispatch refuses bad payloads with a typed error and no side effect', () => {
  const bad: [string, unknown, string][] = [
    ['createWorkspace', { name: 42 }, 'name'],
    ['createWorkspace', { name: 'ok', extra: true }, '_'],
    ['createWorkspace', { name: 'Bad Name' }, 'name'],
    ['createWorkspace', { name: '../../etc/passwd' }, 'name'],
    ['createWorkspace', { name: 'x'.repeat(100_000) }, 'name'],
    ['createWorkspace', { name: 'ok', resources: { cpus: 1000, memoryMiB: 4096, diskGiB: 20 } }, 'resources.cpus'],
    ['createWorkspace', null, '_'],
    ['createWorkspace', 'name=ok', '_'],
    ['startWorkspace', { id: 'not-a-uuid' }, 'id'],
    ['startWorkspace', { id: '00000000-0000-0000-0000-000000000000', force: true }, '_'],
    ['writeTerminal', { terminalId: 'x', data: 'ls' }, 'terminalId'],
    ['updateSettings', { runtime: 'docker' }, 'runtime'],
    ['updateSettings', { incus: { socketPath: '/tmp/evil' } }, '_'],
  ];

  for (const [method, payload, field] of bad) {
    it(`${method} ${JSON.stringify(payload)?.slice(0, 60)}`, async () => {
      const before = snapshot();
      const result = await dispatch(handlers, method, payload);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.code).toBe('INVALID_INPUT');
      expect(result.error.fields).toHaveProperty(field);
      expect(snapshot()).toBe(before);
    });
  }

  it('refuses an unknown method by name', async () => {
    const result = await dispatch(handlers, 'deleteEverything', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('refuses methods inherited from Object.prototype', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const result = await dispatch(handlers, name, {});
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
  });

  it('returns the typed error of the core, not an exception', async () => {
    const result = await dispatch(handlers, 'getWorkspace', { id: '00000000-0000-4000-8000-000000000000' });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('creates a workspace from a valid payload', async () => {
    const result = await dispatch(handlers, 'createWorkspace', { name: 'valid-one' });
    expect(result).toMatchObject({ ok: true, value: { name: 'valid-one', state: 'creating' } });
  });
});

describe('every method survives hostile payloads (property-based)', () => {
  const hostileString = fc.oneof(
    fc.string(),
    fc.constantFrom('../../etc/passwd', '$(reboot)', '`id`', 'a;rm -rf /', 'wеb', '\u0000', 'Ｗｅｂ', 'x'.repeat(70_000)),
  );
  const hostile = fc.oneof(
    fc.anything(),
    fc.record({ name: hostileString }),
    fc.record({ id: hostileString }),
    fc.dictionary(hostileString, fc.anything()),
  );

  it('answers a Result for anything, and only valid input has effects', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...METHOD_NAMES), hostile, async (method, payload) => {
        const before = snapshot();
        const result = await dispatch(handlers, method, payload);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) {
          expect(result.error.code).toMatch(/^[A-Z_]+$/);
          expect(result.error.message.length).toBeGreaterThan(0);
          if (result.error.code === 'INVALID_INPUT') expect(snapshot()).toBe(before);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never creates a workspace whose name is not a DNS label', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, async (name) => {
        const taken = harness.core.workspaces.list().some((workspace) => workspace.name === name);
        const result = await dispatch(handlers, 'createWorkspace', { name });
        const valid = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && name.length <= 63;
        if (!valid) expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
        else if (taken) expect(result).toMatchObject({ ok: false, error: { code: 'ALREADY_EXISTS' } });
        else expect(result).toMatchObject({ ok: true, value: { name } });
        for (const workspace of harness.core.workspaces.list()) {
          expect(workspace.name).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
