import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, type EventName, type MethodName } from '../../src-shared/contract.js';
import { TidepoolError, type Result } from '../../src-shared/errors.js';
import type { TidepoolBridge } from '../../src-shared/transport.js';
import { createClient } from './client.js';

function fakeBridge(answer: (method: MethodName, payload: unknown) => Promise<Result<unknown>>) {
  const listeners = new Set<(event: EventName, payload: unknown) => void>();
  const invoked: { method: MethodName; payload: unknown }[] = [];
  const bridge: TidepoolBridge = {
    host: 'electron',
    invoke: (method, payload) => {
      invoked.push({ method, payload });
      return answer(method, payload);
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { bridge, invoked, listeners, push: (event: EventName, payload: unknown) => listeners.forEach((l) => l(event, payload)) };
}

describe('createClient', () => {
  it('has one function per contract method, each passing its payload through unchanged', async () => {
    const { bridge, invoked } = fakeBridge(async () => ({ ok: true, value: 'answer' }));
    const api = createClient(bridge);
    for (const method of METHOD_NAMES) {
      expect(typeof api[method]).toBe('function');
    }
    await expect(api.getWorkspace({ id: 'x' })).resolves.toBe('answer');
    await api.listWorkspaces({});
    expect(invoked).toEqual([
      { method: 'getWorkspace', payload: { id: 'x' } },
      { method: 'listWorkspaces', payload: {} },
    ]);
  });

  it('turns an error result into a TidepoolError with every field kept', async () => {
    const { bridge } = fakeBridge(async () => ({
      ok: false,
      error: { code: 'ALREADY_EXISTS', message: 'Taken.', hint: 'Pick another.', detail: 'raw', fields: { name: 'This name is taken.' } },
    }));
    const error = await createClient(bridge).createWorkspace({ name: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TidepoolError);
    expect((error as TidepoolError).toData()).toEqual({
      code: 'ALREADY_EXISTS',
      message: 'Taken.',
      hint: 'Pick another.',
      detail: 'raw',
      fields: { name: 'This name is taken.' },
    });
  });

  it('reports a bridge that throws as a TidepoolError, not a raw exception', async () => {
    const { bridge } = fakeBridge(async () => {
      throw new Error('IPC channel closed');
    });
    const error = await createClient(bridge).listWorkspaces({}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TidepoolError);
    expect((error as TidepoolError).detail).toBe('IPC channel closed');
  });

  it('delivers each event only to its own listeners, over a single bridge subscription', () => {
    const { bridge, listeners, push } = fakeBridge(async () => ({ ok: true, value: null }));
    const api = createClient(bridge);
    const changed: unknown[] = [];
    const removed: unknown[] = [];
    const offChanged = api.on('workspaceChanged', (payload) => changed.push(payload));
    api.on('workspaceRemoved', (payload) => removed.push(payload));
    expect(listeners.size).toBe(1);

    push('workspaceChanged', { id: 'a' });
    push('workspaceRemoved', { id: 'b' });
    offChanged();
    push('workspaceChanged', { id: 'c' });
    expect(changed).toEqual([{ id: 'a' }]);
    expect(removed).toEqual([{ id: 'b' }]);
  });

  it('drops the bridge subscription when the last listener leaves', () => {
    const { bridge, listeners } = fakeBridge(async () => ({ ok: true, value: null }));
    const api = createClient(bridge);
    const off = api.on('log', () => undefined);
    off();
    expect(listeners.size).toBe(0);
  });

  it('keeps delivering when one listener throws', () => {
    const { bridge, push } = fakeBridge(async () => ({ ok: true, value: null }));
    const api = createClient(bridge);
    const seen: unknown[] = [];
    const original = console.error;
    console.error = () => undefined;
    try {
      api.on('log', () => {
        throw new Error('broken listener');
      });
      api.on('log', (line) => seen.push(line));
      push('log', { text: 'hello' });
    } finally {
      console.error = original;
    }
    expect(seen).toEqual([{ text: 'hello' }]);
  });
});
