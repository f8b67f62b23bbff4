/**
 * The preload's allow-list, derived from the contract: a method name maps to its IPC channel only if the
 * contract declares it. Anything else (a typo, `__proto__`, a channel of Electron's own) is refused
 * before it reaches ipcRenderer.
 */
import { METHOD_NAMES, ipcChannel, type MethodName } from '../../src-shared/contract.js';

const ALLOWED: ReadonlySet<string> = new Set(METHOD_NAMES);

export function isContractMethod(method: unknown): method is MethodName {
  return typeof method === 'string' && ALLOWED.has(method);
}

/** The IPC channel for a contract method, or null for anything else. */
export function channelForMethod(method: unknown): string | null {
  return isContractMethod(method) ? ipcChannel(method) : null;
}

/** Sent once by the preload when the page first subscribes to events: main may start delivering them. */
export const IPC_LISTENING_CHANNEL = 'tidepool:listening';
