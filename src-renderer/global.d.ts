import type { TidepoolBridge } from '../src-shared/transport.js';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent when the UI is served to a browser. */
    readonly tidepool?: TidepoolBridge;
  }
}
