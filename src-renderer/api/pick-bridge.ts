import { WS_PATH, type TidepoolBridge } from '../../src-shared/transport.js';
import { electronBridge } from './electron-bridge.js';
import { webSocketBridge } from './websocket-bridge.js';

/** The desktop app's preload bridge when present, else a WebSocket to the server that served this page. */
export function pickBridge(): TidepoolBridge {
  if (window.tidepool) return electronBridge();
  return webSocketBridge(webSocketUrl(window.location.href));
}

export function webSocketUrl(pageUrl: string): string {
  const url = new URL(WS_PATH, pageUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.toString();
}
