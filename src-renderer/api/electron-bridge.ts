import type { TidepoolBridge } from '../../src-shared/transport.js';

/** The bridge the Electron preload exposes as `window.tidepool`. */
export function electronBridge(): TidepoolBridge {
  const bridge = window.tidepool;
  if (!bridge) throw new Error('window.tidepool is missing: this page is not running inside the Tidepool app.');
  return bridge;
}
