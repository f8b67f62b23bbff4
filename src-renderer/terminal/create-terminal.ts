/**
 * The terminal emulator behind a Terminal tab (xterm.js with the fit add-on), behind a small interface so
 * the tab does not depend on xterm's details and tests can substitute it.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

export interface Disposable {
  dispose(): void;
}

export interface TerminalEmulator {
  readonly cols: number;
  readonly rows: number;
  open(parent: HTMLElement): void;
  write(data: string): void;
  onData(listener: (data: string) => void): Disposable;
  onResize(listener: (size: { cols: number; rows: number }) => void): Disposable;
  /** Resizes the grid to fill the parent. */
  fit(): void;
  focus(): void;
  setTheme(theme: 'light' | 'dark'): void;
  dispose(): void;
}

const THEMES: Record<'light' | 'dark', ITheme> = {
  light: {
    background: '#ffffff',
    foreground: '#1d1d1f',
    cursor: '#1d1d1f',
    selectionBackground: '#b3d7ff',
  },
  dark: {
    background: '#1c1c1e',
    foreground: '#e5e5ea',
    cursor: '#e5e5ea',
    selectionBackground: '#3a5a85',
  },
};

export function createTerminal(theme: 'light' | 'dark'): TerminalEmulator {
  const terminal = new Terminal({
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
    fontSize: 13,
    cursorBlink: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
    scrollback: 5000,
    allowProposedApi: false,
    theme: THEMES[theme],
  });
  const fitAddon = new FitAddon();
  terminal.loadAddon(fitAddon);
  return {
    get cols() {
      return terminal.cols;
    },
    get rows() {
      return terminal.rows;
    },
    open: (parent) => terminal.open(parent),
    write: (data) => terminal.write(data),
    onData: (listener) => terminal.onData(listener),
    onResize: (listener) => terminal.onResize(listener),
    fit: () => {
      // A hidden tab has no size; fitting it would shrink the shell to nothing.
      if (fitAddon.proposeDimensions()) fitAddon.fit();
    },
    focus: () => terminal.focus(),
    setTheme: (next) => {
      terminal.options.theme = THEMES[next];
    },
    dispose: () => terminal.dispose(),
  };
}
