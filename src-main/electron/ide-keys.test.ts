import { describe, expect, it } from 'vitest';
import { routeIdeKey, type KeyInput } from './ide-keys.js';

function key(spec: string, type = 'keyDown'): KeyInput {
  const parts = spec.split('+');
  const last = parts.at(-1)!;
  const codes: Record<string, string> = { Tab: 'Tab', ']': 'BracketRight', '[': 'BracketLeft', '}': 'BracketRight', '{': 'BracketLeft' };
  return {
    type,
    key: last,
    code: codes[last] ?? `Key${last.toUpperCase()}`,
    control: parts.includes('Ctrl'),
    meta: parts.includes('Cmd'),
    shift: parts.includes('Shift'),
    alt: parts.includes('Alt'),
  };
}

describe('keys pressed inside an IDE view', () => {
  it('Ctrl+Tab and Ctrl+Shift+Tab switch Tidepool tabs on every platform', () => {
    for (const platform of ['darwin', 'linux']) {
      expect(routeIdeKey(key('Ctrl+Tab'), platform)).toEqual({ to: 'tidepool', command: { command: 'cycleTab', direction: 1 } });
      expect(routeIdeKey(key('Ctrl+Shift+Tab'), platform)).toEqual({ to: 'tidepool', command: { command: 'cycleTab', direction: -1 } });
    }
  });

  it('Cmd+Shift+] and Cmd+Shift+[ switch Tidepool tabs on macOS, whatever the layout makes of the key', () => {
    expect(routeIdeKey(key('Cmd+Shift+}'), 'darwin')).toEqual({ to: 'tidepool', command: { command: 'cycleTab', direction: 1 } });
    expect(routeIdeKey(key('Cmd+Shift+{'), 'darwin')).toEqual({ to: 'tidepool', command: { command: 'cycleTab', direction: -1 } });
  });

  it('the matching key-up is not a second command', () => {
    expect(routeIdeKey(key('Ctrl+Tab', 'keyUp'), 'darwin')).toEqual({ to: 'ide' });
    expect(routeIdeKey(key('Cmd+Shift+}', 'keyUp'), 'darwin')).toEqual({ to: 'ide' });
  });

  it('Cmd+W, Cmd+T, Cmd+N, Cmd+P, Cmd+Z, Cmd+A and Cmd+Shift+P belong to the IDE', () => {
    for (const spec of ['Cmd+w', 'Cmd+t', 'Cmd+n', 'Cmd+p', 'Cmd+z', 'Cmd+Shift+z', 'Cmd+a', 'Cmd+Shift+p', 'Cmd+1', 'Cmd+Shift+v', 'Cmd+Alt+c']) {
      expect(routeIdeKey(key(spec), 'darwin'), spec).toEqual({ to: 'ide' });
    }
  });

  it('on macOS quit, hide, minimise and the clipboard keys reach the menu', () => {
    for (const spec of ['Cmd+q', 'Cmd+h', 'Cmd+Alt+h', 'Cmd+m', 'Cmd+c', 'Cmd+x', 'Cmd+v', 'Cmd+C']) {
      expect(routeIdeKey(key(spec), 'darwin'), spec).toEqual({ to: 'menu' });
    }
  });

  it('elsewhere only tab switching is Tidepool’s; Ctrl+W, Ctrl+Q, Ctrl+C go to the IDE', () => {
    for (const spec of ['Ctrl+w', 'Ctrl+q', 'Ctrl+c', 'Ctrl+v', 'Ctrl+Shift+]']) {
      expect(routeIdeKey(key(spec), 'linux'), spec).toEqual({ to: 'ide' });
    }
  });

  it('plain typing goes to the IDE', () => {
    expect(routeIdeKey(key('q'), 'darwin')).toEqual({ to: 'ide' });
    expect(routeIdeKey(key('Tab'), 'darwin')).toEqual({ to: 'ide' });
  });
});
