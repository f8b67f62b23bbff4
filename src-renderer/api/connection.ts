/**
 * Whether the UI can currently reach the core. Only the WebSocket bridge can lose its connection;
 * `signed-out` means the server answers but no longer accepts this page (it restarted with a new token).
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'signed-out';

export interface ConnectionStatus {
  connection(): ConnectionState;
  /** Called on every change; returns an unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}

export function hasConnectionStatus(bridge: object): bridge is ConnectionStatus {
  return 'onConnectionChange' in bridge && typeof bridge.onConnectionChange === 'function';
}
