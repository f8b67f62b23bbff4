/**
 * Who gets a key pressed while an IDE view has focus. The rule, browser-like but kinder to the editor:
 *
 * - Tidepool keeps only tab switching: Ctrl+Tab / Ctrl+Shift+Tab everywhere, and Cmd+Shift+] / Cmd+Shift+[
 *   on macOS (the shortcuts browsers keep for their own tabs).
 * - On macOS the app-level keys reach the menu: Cmd+Q quit, Cmd+H / Cmd+Alt+H hide, Cmd+M minimise, and
 *   Cmd+C / Cmd+X / Cmd+V, because macOS delivers copy, cut and paste to web content through the Edit
 *   menu (the editor then gets ordinary copy/cut/paste events, as in a browser).
 * - Everything else goes to the IDE, Cmd+W, Cmd+T, Cmd+N, Cmd+P, Cmd+Z and Cmd+A included: in an IDE
 *   they mean close editor, new file, quick open, undo, select all. To close the Tidepool tab itself,
 *   use its close button or switch away first.
 *
 * Electron lets menu shortcuts fire before the page sees the key, so the view ignores menu shortcuts for
 * every key routed to the IDE.
 */
import type { AppCommand } from '../../src-shared/contract.js';

export interface KeyInput {
  type: string;
  key: string;
  /** Physical key, layout-independent (`BracketRight` whatever Shift makes of it). */
  code: string;
  control: boolean;
  meta: boolean;
  shift: boolean;
  alt: boolean;
}

export type KeyRoute = { to: 'tidepool'; command: AppCommand } | { to: 'menu' } | { to: 'ide' };

const MAC_MENU_KEYS = new Set(['q', 'h', 'm', 'c', 'x', 'v']);

export function routeIdeKey(input: KeyInput, platform: string): KeyRoute {
  const mac = platform === 'darwin';
  if (input.code === 'Tab' && input.control && !input.meta && !input.alt) {
    return input.type === 'keyDown' ? { to: 'tidepool', command: { command: 'cycleTab', direction: input.shift ? -1 : 1 } } : { to: 'ide' };
  }
  if (mac && input.meta && input.shift && !input.control && !input.alt && (input.code === 'BracketRight' || input.code === 'BracketLeft')) {
    return input.type === 'keyDown'
      ? { to: 'tidepool', command: { command: 'cycleTab', direction: input.code === 'BracketRight' ? 1 : -1 } }
      : { to: 'ide' };
  }
  if (mac && input.meta && !input.control && !input.shift) {
    const key = input.key.toLowerCase();
    if (MAC_MENU_KEYS.has(key) && (!input.alt || key === 'h')) return { to: 'menu' };
  }
  return { to: 'ide' };
}
