import { useEffect, useRef, useState } from 'react';
import { toTidepoolError, type TidepoolError } from '../../../src-shared/errors.js';
import { useApi, useAppStore } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { useAction } from '../../hooks/use-action.js';
import { useResolvedTheme } from '../../hooks/use-resolved-theme.js';
import type { Tab } from '../../state/navigation-store.js';
import { createTerminal, type TerminalEmulator } from '../../terminal/create-terminal.js';

type Session =
  | { status: 'waiting' }
  | { status: 'connecting' }
  | { status: 'running' }
  | { status: 'exited'; code: number | null }
  | { status: 'failed'; error: TidepoolError };

/** Output that arrived before we knew our terminal's id; bounded so a busy neighbour cannot grow it. */
const MAX_EARLY_CHUNKS = 1000;

/**
 * A shell in the workspace. It opens when the workspace is ready; closing the tab ends the shell. If the
 * shell exits, the tab stays with its output and offers a new shell.
 */
export function TerminalTab({ tab, active }: { tab: Tab; active: boolean }) {
  const api = useApi();
  const id = tab.workspaceId;
  const workspace = useAppStore('workspaces', (state) => state.byId[id]);
  const theme = useResolvedTheme(useAppStore('settings', (state) => state.settings?.theme));
  const container = useRef<HTMLDivElement>(null);
  const emulator = useRef<TerminalEmulator | null>(null);
  const [session, setSession] = useState<Session>({ status: 'waiting' });
  const [generation, setGeneration] = useState(0);
  const start = useAction(() => api.startWorkspace({ id }));
  const ready = workspace?.state === 'ready';
  const initialTheme = useRef(theme);

  useEffect(() => {
    if (!container.current) return;
    const terminal = createTerminal(initialTheme.current);
    terminal.open(container.current);
    emulator.current = terminal;
    return () => {
      emulator.current = null;
      terminal.dispose();
    };
  }, []);

  useEffect(() => emulator.current?.setTheme(theme), [theme]);

  useEffect(() => {
    const terminal = emulator.current;
    if (!ready || !terminal) {
      setSession((previous) => (previous.status === 'running' || previous.status === 'connecting' ? { status: 'waiting' } : previous));
      return;
    }
    let terminalId: string | null = null;
    let disposed = false;
    const early: { terminalId: string; data: string }[] = [];
    setSession({ status: 'connecting' });

    const offData = api.on('terminalData', (chunk) => {
      if (terminalId === null) {
        if (early.length < MAX_EARLY_CHUNKS) early.push(chunk);
      } else if (chunk.terminalId === terminalId) {
        terminal.write(chunk.data);
      }
    });
    const offExit = api.on('terminalExit', (event) => {
      if (event.terminalId !== terminalId) return;
      terminalId = null;
      terminal.write(`\r\n\x1b[2m[The shell ended${event.code !== null ? ` with exit code ${event.code}` : ''}.]\x1b[0m\r\n`);
      setSession({ status: 'exited', code: event.code });
    });
    const input = terminal.onData((data) => {
      if (terminalId) void api.writeTerminal({ terminalId, data }).catch(() => undefined);
    });
    const resize = terminal.onResize(({ cols, rows }) => {
      if (terminalId) void api.resizeTerminal({ terminalId, cols, rows }).catch(() => undefined);
    });

    terminal.fit();
    api.openTerminal({ id, cols: Math.max(2, terminal.cols), rows: Math.max(1, terminal.rows) }).then(
      (opened) => {
        if (disposed) {
          void api.closeTerminal({ terminalId: opened.terminalId }).catch(() => undefined);
          return;
        }
        terminalId = opened.terminalId;
        for (const chunk of early.splice(0)) {
          if (chunk.terminalId === terminalId) terminal.write(chunk.data);
        }
        setSession({ status: 'running' });
      },
      (error: unknown) => {
        if (!disposed) setSession({ status: 'failed', error: toTidepoolError(error) });
      },
    );

    return () => {
      disposed = true;
      offData();
      offExit();
      input.dispose();
      resize.dispose();
      if (terminalId) void api.closeTerminal({ terminalId }).catch(() => undefined);
    };
  }, [api, id, ready, generation]);

  // Fit to the tab's size whenever it is visible and its size changes, and take the keyboard.
  useEffect(() => {
    const element = container.current;
    if (!active || !element) return;
    const fit = () => emulator.current?.fit();
    fit();
    emulator.current?.focus();
    const observer = new ResizeObserver(fit);
    observer.observe(element);
    return () => observer.disconnect();
  }, [active]);

  const name = workspace?.name ?? 'workspace';
  return (
    <div className="terminal-tab">
      {session.status === 'exited' ? (
        <div className="terminal-bar" role="status">
          The shell ended.
          <button type="button" className="button button-small" onClick={() => setGeneration((n) => n + 1)}>
            New shell
          </button>
        </div>
      ) : null}
      {session.status === 'failed' ? (
        <ErrorDetails error={session.error} title="Could not open a shell">
          <button type="button" className="button button-small" onClick={() => setGeneration((n) => n + 1)}>
            Retry
          </button>
        </ErrorDetails>
      ) : null}
      {!ready && workspace ? (
        <div className="terminal-bar" role="status">
          “{name}” is {workspace.state === 'error' ? 'in error' : workspace.state}. The shell opens when it is running.
          {workspace.state === 'stopped' || workspace.state === 'error' ? (
            <button type="button" className="button button-small" disabled={start.pending} onClick={() => void start.run()}>
              Start
            </button>
          ) : null}
        </div>
      ) : null}
      {start.error ? <ErrorDetails error={start.error} title={`Could not start “${name}”`} /> : null}
      <div ref={container} className="terminal-surface" role="region" aria-label={`Terminal in ${name}`} />
    </div>
  );
}
