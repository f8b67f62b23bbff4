/** Typed fan-out of the contract's events to every attached client (IPC window, WebSocket, CLI). */
import type { EventName, EventPayloads, Unsubscribe } from '../../src-shared/contract.js';

type AnyListener = (event: EventName, payload: unknown) => void;

export class EventBus {
  private readonly listeners = new Set<AnyListener>();

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, payload);
      } catch {
        // A failing client must not stop the others from hearing the event.
      }
    }
  }

  onAny(listener: AnyListener): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): Unsubscribe {
    return this.onAny((name, payload) => {
      if (name === event) listener(payload as EventPayloads[E]);
    });
  }
}
