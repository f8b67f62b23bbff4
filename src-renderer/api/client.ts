/**
 * Turns a bridge (Electron preload or WebSocket) into the typed `TidepoolApi` the UI uses. The method list
 * comes from the contract, so a method added there is callable here without touching this file.
 */
import {
  EVENT_NAMES,
  METHOD_NAMES,
  type EventName,
  type EventPayloads,
  type MethodName,
  type TidepoolApi,
} from '../../src-shared/contract.js';
import { TidepoolError, toTidepoolError } from '../../src-shared/errors.js';
import type { TidepoolBridge } from '../../src-shared/transport.js';

type AnyListener = (payload: unknown) => void;

export function createClient(bridge: TidepoolBridge): TidepoolApi {
  const listeners = new Map<EventName, Set<AnyListener>>();
  let unsubscribeBridge: (() => void) | null = null;

  // One bridge subscription fans out to every listener; it is dropped when the last listener leaves.
  const ensureSubscribed = (): void => {
    unsubscribeBridge ??= bridge.subscribe((event, payload) => {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          listener(payload);
        } catch (error) {
          console.error(`A listener for ${event} failed`, error);
        }
      }
    });
  };

  const call = async (method: MethodName, input: unknown): Promise<unknown> => {
    let result;
    try {
      result = await bridge.invoke(method, input ?? {});
    } catch (error) {
      throw toTidepoolError(error);
    }
    if (!result.ok) throw new TidepoolError(result.error);
    return result.value;
  };

  const api: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    api[method] = (input: unknown) => call(method, input);
  }
  api.on = <E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void) => {
    if (!EVENT_NAMES.includes(event)) throw new TypeError(`Unknown event ${String(event)}`);
    const set = listeners.get(event) ?? new Set<AnyListener>();
    listeners.set(event, set);
    const entry = listener as AnyListener;
    set.add(entry);
    ensureSubscribed();
    return () => {
      set.delete(entry);
      if ([...listeners.values()].every((s) => s.size === 0)) {
        unsubscribeBridge?.();
        unsubscribeBridge = null;
      }
    };
  };
  return api as TidepoolApi;
}
