import { describe, expect, it } from 'vitest';
import {
  APP_CONTENT_SECURITY_POLICY,
  APP_START_URL,
  appWindowPreferences,
  externalUrl,
  ideOrigin,
  ideViewPreferences,
  isAppUrl,
  navigationDecision,
  permissionDecision,
  windowOpenDecision,
} from './security-policy.js';

const ID = '6f1c2a9e-3b7d-4c1e-9a2b-5d8e7f6a1b2c';
const IDE = 'http://127.0.0.1:41234';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
}

describe('window and view settings (Electron security checklist 2-4, 16)', () => {
  for (const [what, preferences] of [
    ['the app window', appWindowPreferences('/app/out/preload/index.cjs')],
    ['an IDE view', ideViewPreferences(ID)],
  ] as const) {
    it(`${what}: isolated, sandboxed, no Node, web security on, no <webview>`, () => {
      expect(preferences).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        experimentalFeatures: false,
      });
      expect(preferences).not.toHaveProperty('enableBlinkFeatures');
    });
  }

  it('an IDE view gets no preload (no Tidepool API) and its own persistent session per workspace', () => {
    const preferences = ideViewPreferences(ID);
    expect(preferences.preload).toBeUndefined();
    expect(preferences.partition).toBe(`persist:ws-${ID}`);
    expect(ideViewPreferences('other').partition).not.toBe(preferences.partition);
  });

  it('the app window loads its preload and its UI from the app origin, not file://', () => {
    expect(appWindowPreferences('/x/preload.cjs').preload).toBe('/x/preload.cjs');
    expect(APP_START_URL.startsWith('app://tidepool/')).toBe(true);
  });
});

describe('content security policy of the UI', () => {
  const csp = directives(APP_CONTENT_SECURITY_POLICY);

  it('denies by default and runs only the app’s own scripts', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
  });

  it('allows no eval, no inline script, no plugins, no frames, no base or form tricks', () => {
    expect(APP_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|wasm-unsafe-eval|\*/);
    for (const directive of ['object-src', 'frame-src', 'base-uri', 'form-action', 'frame-ancestors']) {
      expect(csp.get(directive), directive).toEqual(["'none'"]);
    }
  });

  it('connects nowhere but its own origin (the API goes over IPC)', () => {
    expect(csp.get('connect-src')).toEqual(["'self'"]);
  });
});

describe('navigation', () => {
  it('the app window stays on the app origin', () => {
    expect(navigationDecision('app://tidepool/index.html#/settings', { kind: 'app' })).toEqual({ action: 'allow' });
    for (const target of ['https://example.com/', 'file:///etc/passwd', 'app://evil/index.html', 'app://x@tidepool/', `${IDE}/`]) {
      expect(navigationDecision(target, { kind: 'app' }), target).toEqual({ action: 'block', openExternally: null });
    }
  });

  it('an IDE view stays on its own tunnel origin; other links go to the browser', () => {
    const ide = { kind: 'ide', origin: IDE } as const;
    expect(navigationDecision(`${IDE}/?folder=/home/dev`, ide)).toEqual({ action: 'allow' });
    expect(navigationDecision('https://github.com/login', ide)).toEqual({ action: 'block', openExternally: 'https://github.com/login' });
    // Same host, another port: another workspace's IDE or a service in the guest.
    expect(navigationDecision('http://127.0.0.1:41235/', ide)).toEqual({ action: 'block', openExternally: 'http://127.0.0.1:41235/' });
    // A look-alike prefix must not pass (startsWith checks are spoofable).
    expect(navigationDecision(`${IDE}.evil.com/`, ide).action).toBe('block');
    expect(navigationDecision('app://tidepool/index.html', ide)).toEqual({ action: 'block', openExternally: null });
    expect(navigationDecision('javascript:alert(1)', ide)).toEqual({ action: 'block', openExternally: null });
  });

  it('new windows are always denied; only http(s) is handed to the browser', () => {
    expect(windowOpenDecision('https://example.com/docs')).toEqual({ action: 'deny', openExternally: 'https://example.com/docs' });
    for (const target of ['file:///Applications/Calculator.app', 'smb://host/share', 'javascript:void 0', 'not a url', 'https://user:pw@example.com/']) {
      expect(windowOpenDecision(target), target).toEqual({ action: 'deny', openExternally: null });
    }
  });

  it('an IDE origin must be http on 127.0.0.1 with a port', () => {
    expect(ideOrigin(`${IDE}/?folder=%2Fhome`)).toBe(IDE);
    expect(ideOrigin('http://192.168.64.5:8080/')).toBeNull();
    expect(ideOrigin('https://127.0.0.1:443/')).toBeNull();
    expect(ideOrigin('http://127.0.0.1/')).toBeNull();
    expect(externalUrl('HTTPS://Example.com')).toBe('https://example.com/');
  });
});

describe('permissions', () => {
  it('the app UI may only write to the clipboard (its Copy buttons), and only from the app origin', () => {
    expect(permissionDecision({ kind: 'app' }, 'clipboard-sanitized-write', 'app://tidepool/index.html')).toBe(true);
    expect(permissionDecision({ kind: 'app' }, 'clipboard-sanitized-write', `${IDE}/`)).toBe(false);
    for (const permission of ['clipboard-read', 'media', 'geolocation', 'notifications', 'openExternal', 'fileSystem', 'hid', 'unknown']) {
      expect(permissionDecision({ kind: 'app' }, permission, 'app://tidepool/index.html'), permission).toBe(false);
    }
  });

  it('an IDE view gets clipboard read and write for its own origin, nothing else', () => {
    const scope = { kind: 'ide', origin: IDE } as const;
    expect(permissionDecision(scope, 'clipboard-read', `${IDE}/`)).toBe(true);
    expect(permissionDecision(scope, 'clipboard-sanitized-write', IDE)).toBe(true);
    expect(permissionDecision(scope, 'clipboard-read', 'http://127.0.0.1:41235/')).toBe(false);
    for (const permission of ['media', 'notifications', 'geolocation', 'openExternal', 'usb', 'serial', 'pointerLock', 'local-network-access']) {
      expect(permissionDecision(scope, permission, `${IDE}/`), permission).toBe(false);
    }
  });

  it('recognises the app origin exactly', () => {
    expect(isAppUrl('app://tidepool')).toBe(true);
    expect(isAppUrl('app://tidepool.evil/')).toBe(false);
    expect(isAppUrl('file:///tidepool/index.html')).toBe(false);
  });
});
