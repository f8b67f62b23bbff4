/**
 * The two ways a renderer reaches the core, both carrying the contract unchanged:
 * - Electron: the preload exposes `window.tidepool` as a `TidepoolBridge`;
 * - a browser (`tidepool serve`): a WebSocket at `/api` speaking `WireMessage`s.
 * The renderer's client turns either into a `TidepoolApi`; UI code never knows which.
 */
import type { EventName, MethodName } from './contract.js';
import type { Result } from './errors.js';

export interface TidepoolBridge {
  invoke(method: MethodName, payload: unknown): Promise<Result<unknown>>;
  /** Every pushed event; returns an unsubscribe function. */
  subscribe(listener: (event: EventName, payload: unknown) => void): () => void;
  /** Which shell hosts the UI (for things only one can do, like embedding the IDE in a native view). */
  readonly host: 'electron' | 'browser';
}

export const WS_PATH = '/api';
/** Cookie set after the login token was presented once. */
export const SESSION_COOKIE = 'tidepool_session';

export type ClientMessage = { type: 'call'; id: number; method: MethodName; payload: unknown };

export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: EventName; payload: unknown };
