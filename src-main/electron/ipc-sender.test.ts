import { describe, expect, it } from 'vitest';
import { isTrustedSender, type SenderFacts } from './ipc-sender.js';

const APP_WINDOW = 7;
const good: SenderFacts = { frameUrl: 'app://tidepool/index.html', isMainFrame: true, webContentsId: APP_WINDOW };

describe('IPC sender check', () => {
  it("accepts the app window's top-level page on the app origin", () => {
    expect(isTrustedSender(good, APP_WINDOW)).toBe(true);
    expect(isTrustedSender({ ...good, frameUrl: 'app://tidepool/index.html#/workspace/1' }, APP_WINDOW)).toBe(true);
  });

  it('refuses an IDE view or any other web contents', () => {
    expect(isTrustedSender({ ...good, webContentsId: 8 }, APP_WINDOW)).toBe(false);
    expect(isTrustedSender({ ...good, frameUrl: 'http://127.0.0.1:41234/', webContentsId: 8 }, APP_WINDOW)).toBe(false);
  });

  it('refuses a sub-frame of the app window, even one on the app origin', () => {
    expect(isTrustedSender({ ...good, isMainFrame: false }, APP_WINDOW)).toBe(false);
  });

  it('refuses the app window once it shows anything but the app origin', () => {
    for (const frameUrl of ['https://example.com/', 'file:///tmp/index.html', 'app://evil/index.html', 'app://tidepool.evil/', 'about:blank', '', null, undefined]) {
      expect(isTrustedSender({ ...good, frameUrl }, APP_WINDOW), String(frameUrl)).toBe(false);
    }
  });

  it('refuses everything while there is no app window', () => {
    expect(isTrustedSender(good, null)).toBe(false);
  });
});
