import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { createFakeApi, type FakeApi } from '../../testing/fake-api.js';
import { makeProgress, makeWorkspace } from '../../testing/fixtures.js';
import { renderApp } from '../../testing/render-app.js';
import { triggerResizeObservers } from '../../test-setup.js';

const { terminals, FakeTerminal } = vi.hoisted(() => {
  class FakeTerminal {
    cols = 80;
    rows = 24;
    written: string[] = [];
    disposed = false;
    private readonly dataListeners = new Set<(data: string) => void>();
    open() {}
    write(data: string) {
      this.written.push(data);
    }
    onData(listener: (data: string) => void) {
      this.dataListeners.add(listener);
      return { dispose: () => this.dataListeners.delete(listener) };
    }
    onResize() {
      return { dispose: () => undefined };
    }
    fit() {}
    focus() {}
    setTheme() {}
    dispose() {
      this.disposed = true;
    }
    /** What a user typing into xterm produces. */
    type(data: string) {
      for (const listener of this.dataListeners) listener(data);
    }
  }
  return { terminals: [] as InstanceType<typeof FakeTerminal>[], FakeTerminal };
});

vi.mock('../../terminal/create-terminal.js', () => ({
  createTerminal: () => {
    const terminal = new FakeTerminal();
    terminals.push(terminal);
    return terminal;
  },
}));

afterEach(() => {
  terminals.length = 0;
  vi.restoreAllMocks();
});

async function appWith(api: FakeApi, host: 'browser' | 'electron' = 'browser') {
  const app = await renderApp(api, { host });
  const toolbarButton = (name: string) =>
    within(screen.getByRole('toolbar')).getByRole('button', { name }) as HTMLButtonElement;
  const showWorkspace = async (name: string) =>
    app.user.click(within(screen.getByRole('navigation', { name: 'Workspaces' })).getByText(name));
  return { ...app, toolbarButton, showWorkspace };
}

function tabNames(): string[] {
  return screen.queryAllByRole('tab').map((tab) => tab.textContent ?? '');
}

function selectedTab(): string | null {
  return screen.queryAllByRole('tab').find((tab) => tab.getAttribute('aria-selected') === 'true')?.textContent ?? null;
}

describe('IDE tab in a browser', () => {
  it('opens the IDE of a running workspace in a frame of its own origin', async () => {
    const workspace = makeWorkspace({ name: 'api-server', state: 'ready', idePort: 41001 });
    const { api, user, toolbarButton, showWorkspace } = await appWith(createFakeApi({ workspaces: [workspace] }));
    await showWorkspace('api-server');
    await user.click(toolbarButton('Open IDE'));

    expect(selectedTab()).toBe('api-server');
    const frame = await screen.findByTitle('IDE for api-server');
    expect(frame.tagName).toBe('IFRAME');
    expect(frame.getAttribute('src')).toBe('http://127.0.0.1:41001/');
    expect(api.callsTo('openWorkspace')).toEqual([{ id: workspace.id }]);

    // Opening it again focuses the same tab.
    await showWorkspace('api-server');
    await user.click(toolbarButton('Open IDE'));
    expect(tabNames()).toEqual(['api-server']);
  });

  it('shows the start’s progress while a stopped workspace opens, then the IDE', async () => {
    const workspace = makeWorkspace({ name: 'api-server', state: 'stopped' });
    const api = createFakeApi({ workspaces: [workspace] });
    let finish: () => void = () => undefined;
    api.handle('openWorkspace', () => new Promise((resolve) => {
      finish = () => resolve({ workspace: api.state.workspaces[0]!, ideUrl: 'http://127.0.0.1:41002/' });
    }));
    const { user, toolbarButton, showWorkspace } = await appWith(api);
    await showWorkspace('api-server');
    await user.click(toolbarButton('Start and open IDE'));

    act(() => {
      api.change(workspace.id, { state: 'starting' });
      api.emit('progress', makeProgress(workspace.id, { operation: 'start', steps: ['boot', 'address', 'ssh', 'configure', 'ide'], step: 'boot' }));
    });
    const panel = screen.getByRole('tabpanel');
    expect(within(panel).getByRole('region', { name: 'Starting “api-server”' })).toBeTruthy();
    expect(within(panel).getByText('Booting')).toBeTruthy();

    act(() => {
      api.change(workspace.id, { state: 'ready' });
      api.emit('progress', makeProgress(workspace.id, { operation: 'start', steps: ['boot', 'address', 'ssh', 'configure', 'ide'], step: 'ide', done: true }));
      finish();
    });
    expect((await screen.findByTitle('IDE for api-server')).getAttribute('src')).toBe('http://127.0.0.1:41002/');
  });

  it('says why a Cancel of the opening start failed, in the IDE tab itself', async () => {
    const workspace = makeWorkspace({ name: 'api-server', state: 'stopped' });
    const api = createFakeApi({ workspaces: [workspace] });
    api.handle('openWorkspace', () => new Promise(() => undefined));
    api.handle('cancelOperation', () => {
      throw new TidepoolError({ code: 'INVALID_STATE', message: 'The start of “api-server” is past the point where it can be cancelled.' });
    });
    const { user, toolbarButton, showWorkspace } = await appWith(api);
    await showWorkspace('api-server');
    await user.click(toolbarButton('Start and open IDE'));
    act(() => {
      api.change(workspace.id, { state: 'starting' });
      api.emit('progress', makeProgress(workspace.id, { operation: 'start', steps: ['boot', 'address', 'ssh', 'configure', 'ide'], step: 'ide' }));
    });
    const panel = screen.getByRole('tabpanel');
    await user.click(within(panel).getByRole('button', { name: 'Cancel' }));
    expect(api.callsTo('cancelOperation')).toEqual([{ id: workspace.id }]);
    expect(within(await within(panel).findByRole('alert')).getByText('The start of “api-server” is past the point where it can be cancelled.')).toBeTruthy();
  });

  it('shows why the IDE could not open, with the runtime’s words, and retries', async () => {
    const workspace = makeWorkspace({ name: 'api-server', state: 'stopped' });
    const api = createFakeApi({ workspaces: [workspace] });
    api.handle('openWorkspace', () => {
      throw new TidepoolError({
        code: 'GUEST_UNREACHABLE',
        message: 'Tidepool could not reach “api-server” over SSH.',
        hint: 'Check the workspace’s logs, then retry.',
        detail: 'connect ECONNREFUSED 10.0.3.15:22',
      });
    });
    const { user, toolbarButton, showWorkspace } = await appWith(api);
    await showWorkspace('api-server');
    await user.click(toolbarButton('Start and open IDE'));

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Tidepool could not reach “api-server” over SSH.')).toBeTruthy();
    expect(within(alert).getByText('connect ECONNREFUSED 10.0.3.15:22')).toBeTruthy();

    api.handle('openWorkspace', () => ({ workspace: api.change(workspace.id, { state: 'ready' }), ideUrl: 'http://127.0.0.1:41003/' }));
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTitle('IDE for api-server')).toBeTruthy();
    expect(api.callsTo('openWorkspace')).toHaveLength(2);
  });
});

describe('IDE tab in the desktop app', () => {
  it('reports the placeholder’s bounds, hides the view behind dialogs and releases it on close', async () => {
    let rect = { left: 272, top: 37, width: 1008, height: 683 };
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (this: HTMLElement) {
      if (!this.classList.contains('ide-placeholder')) return new DOMRect();
      return new DOMRect(rect.left, rect.top, rect.width, rect.height);
    });
    const workspace = makeWorkspace({ name: 'api-server', state: 'ready' });
    const { api, user, toolbarButton, showWorkspace } = await appWith(createFakeApi({ workspaces: [workspace] }), 'electron');
    await showWorkspace('api-server');
    await user.click(toolbarButton('Open IDE'));

    await screen.findByTestId('ide-placeholder');
    expect(screen.queryByTitle('IDE for api-server')).toBeNull();
    await waitFor(() => expect(api.callsTo('showIdeView')).toEqual([{ id: workspace.id, bounds: { x: 272, y: 37, width: 1008, height: 683 } }]));

    rect = { left: 272, top: 37, width: 800.4, height: 500.6 };
    act(() => triggerResizeObservers());
    expect(api.callsTo('showIdeView').at(-1)).toEqual({ id: workspace.id, bounds: { x: 272, y: 37, width: 800, height: 501 } });

    const shown = api.callsTo('showIdeView').length;
    await user.click(within(screen.getByRole('navigation', { name: 'Workspaces' })).getByRole('button', { name: 'New workspace' }));
    await screen.findByRole('dialog');
    expect(api.callsTo('hideIdeViews').length).toBeGreaterThanOrEqual(1);
    await user.keyboard('{Escape}');
    // The view came back: the IDE tab is still the selected one.
    await waitFor(() => expect(api.callsTo('showIdeView').length).toBe(shown + 1));

    await user.click(screen.getByRole('button', { name: 'Close api-server' }));
    expect(api.callsTo('closeIdeView')).toEqual([{ id: workspace.id }]);
  });
});

describe('terminal tab', () => {
  it('opens a shell, shows its output, sends keystrokes, and ends it when the tab closes', async () => {
    const workspace = makeWorkspace({ name: 'api-server', state: 'ready' });
    const api = createFakeApi({ workspaces: [workspace] });
    const terminalId = '10000000-0000-4000-8000-000000000001';
    api.handle('openTerminal', () => {
      // The shell's first bytes can arrive before the call returns.
      api.emit('terminalData', { terminalId, data: 'dev@api-server:~$ ' });
      api.emit('terminalData', { terminalId: '10000000-0000-4000-8000-00000000ffff', data: 'someone else’s output' });
      return { terminalId };
    });
    const { user, toolbarButton, showWorkspace } = await appWith(api);
    await showWorkspace('api-server');
    await user.click(toolbarButton('Terminal'));

    await waitFor(() => expect(api.callsTo('openTerminal')).toEqual([{ id: workspace.id, cols: 80, rows: 24 }]));
    expect(selectedTab()).toBe('api-server — Terminal');
    const terminal = terminals[0]!;
    await waitFor(() => expect(terminal.written).toEqual(['dev@api-server:~$ ']));

    act(() => api.emit('terminalData', { terminalId, data: 'hello\r\n' }));
    expect(terminal.written.at(-1)).toBe('hello\r\n');

    act(() => terminal.type('ls\r'));
    expect(api.callsTo('writeTerminal')).toEqual([{ terminalId, data: 'ls\r' }]);

    await user.click(screen.getByRole('button', { name: 'Close api-server — Terminal' }));
    expect(api.callsTo('closeTerminal')).toEqual([{ terminalId }]);
    expect(terminal.disposed).toBe(true);
    expect(tabNames()).toEqual([]);
  });

  it('says when the shell ended and offers a new one', async () => {
    const workspace = makeWorkspace({ name: 'api-server', state: 'ready' });
    const api = createFakeApi({ workspaces: [workspace] });
    const ids = ['10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002'];
    api.handle('openTerminal', () => ({ terminalId: ids[api.callsTo('openTerminal').length - 1]! }));
    const { user, toolbarButton, showWorkspace } = await appWith(api);
    await showWorkspace('api-server');
    await user.click(toolbarButton('Terminal'));
    await waitFor(() => expect(api.callsTo('openTerminal')).toHaveLength(1));
    await waitFor(() => expect(api.listenerCount('terminalExit')).toBe(1));

    act(() => api.emit('terminalExit', { terminalId: ids[0]!, code: 0 }));
    expect(await screen.findByText('The shell ended.')).toBeTruthy();
    expect(terminals[0]!.written.at(-1)).toContain('The shell ended with exit code 0.');
    await user.click(screen.getByRole('button', { name: 'New shell' }));
    await waitFor(() => expect(api.callsTo('openTerminal')).toHaveLength(2));
    expect(screen.queryByText('The shell ended.')).toBeNull();
  });

  it('numbers further terminals of the same workspace', async () => {
    const workspace = makeWorkspace({ name: 'api-server', state: 'ready' });
    const { user, toolbarButton, showWorkspace } = await appWith(createFakeApi({ workspaces: [workspace] }));
    await showWorkspace('api-server');
    await user.click(toolbarButton('Terminal'));
    await showWorkspace('api-server');
    await user.click(toolbarButton('Terminal'));
    expect(tabNames()).toEqual(['api-server — Terminal', 'api-server — Terminal 2']);
  });
});

describe('tab strip', () => {
  async function threeTabs() {
    const workspace = makeWorkspace({ name: 'api-server', state: 'ready' });
    const app = await appWith(createFakeApi({ workspaces: [workspace] }));
    await app.showWorkspace('api-server');
    await app.user.click(app.toolbarButton('Open IDE'));
    await app.showWorkspace('api-server');
    await app.user.click(app.toolbarButton('Terminal'));
    await app.showWorkspace('api-server');
    await app.user.click(app.toolbarButton('Logs'));
    return app;
  }

  it('cycles with Ctrl+Tab and Ctrl+Shift+Tab, wrapping around', async () => {
    const { user } = await threeTabs();
    expect(selectedTab()).toBe('api-server — Logs');
    await user.keyboard('{Control>}{Tab}{/Control}');
    expect(selectedTab()).toBe('api-server');
    await user.keyboard('{Control>}{Tab}{/Control}');
    expect(selectedTab()).toBe('api-server — Terminal');
    await user.keyboard('{Control>}{Shift>}{Tab}{/Shift}{/Control}');
    await user.keyboard('{Control>}{Shift>}{Tab}{/Shift}{/Control}');
    expect(selectedTab()).toBe('api-server — Logs');
  });

  it('also cycles with Cmd+Shift+] and Cmd+Shift+[ as Mac browsers do', async () => {
    const { user } = await threeTabs();
    await user.keyboard('{Meta>}{Shift>}[BracketRight]{/Shift}{/Meta}');
    expect(selectedTab()).toBe('api-server');
    await user.keyboard('{Meta>}{Shift>}[BracketLeft]{/Shift}{/Meta}');
    expect(selectedTab()).toBe('api-server — Logs');
  });

  it('moves focus with the arrow keys and closes the focused tab with Delete', async () => {
    const { user } = await threeTabs();
    screen.getByRole('tab', { name: 'api-server — Logs' }).focus();
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'api-server' }));
    await user.keyboard('{Enter}');
    expect(selectedTab()).toBe('api-server');
    await user.keyboard('{Delete}');
    expect(tabNames()).toEqual(['api-server — Terminal', 'api-server — Logs']);
    // The tab to the right of the closed one takes over.
    expect(selectedTab()).toBe('api-server — Terminal');
  });

  it('shows only the selected tab and keeps the others alive', async () => {
    await threeTabs();
    const panels = screen.getAllByRole('tabpanel', { hidden: true });
    expect(panels).toHaveLength(3);
    expect(panels.filter((panel) => !panel.hidden)).toHaveLength(1);
    expect(terminals[0]!.disposed).toBe(false);
  });

  it('closes a workspace’s tabs when it is deleted', async () => {
    const { api } = await threeTabs();
    act(() => api.emit('workspaceRemoved', { id: api.state.workspaces[0]!.id }));
    expect(tabNames()).toEqual([]);
    expect(api.callsTo('closeTerminal')).toHaveLength(1);
  });
});

describe('logs tab', () => {
  it('loads recent lines, appends pushed ones and marks levels', async () => {
    const workspace = makeWorkspace({ name: 'api-server', state: 'ready' });
    const api = createFakeApi({
      workspaces: [workspace],
      logs: [
        { workspaceId: workspace.id, at: '2026-11-20T10:00:00.000Z', source: 'tidepool', level: 'info', text: 'create: provision' },
        { workspaceId: workspace.id, at: '2026-11-20T10:00:01.000Z', source: 'runtime', level: 'warn', text: 'slow disk' },
      ],
    });
    const { user, toolbarButton, showWorkspace } = await appWith(api);
    await showWorkspace('api-server');
    await user.click(toolbarButton('Logs'));

    const log = await screen.findByRole('log', { name: 'Log of api-server' });
    await within(log).findByText('slow disk');
    expect(api.callsTo('getWorkspaceLogs')).toEqual([{ id: workspace.id, limit: 1000 }]);

    act(() => {
      api.emit('log', { workspaceId: workspace.id, at: '2026-11-20T10:00:02.000Z', source: 'guest', level: 'error', text: 'code-server exited' });
      api.emit('log', { workspaceId: 'someone-else', at: '2026-11-20T10:00:02.000Z', source: 'guest', level: 'error', text: 'not mine' });
    });
    const lines = within(log).getAllByText(/./, { selector: '.log-text' }).map((line) => line.textContent);
    expect(lines).toEqual(['create: provision', 'slow disk', 'code-server exited']);
    expect(within(log).getByText('code-server exited').closest('.log-line')?.classList.contains('level-error')).toBe(true);
    expect(within(log).getByText('slow disk').closest('.log-line')?.classList.contains('level-warn')).toBe(true);

    await user.type(screen.getByRole('searchbox', { name: 'Filter log lines' }), 'code');
    expect(within(log).getAllByText(/./, { selector: '.log-text' }).map((line) => line.textContent)).toEqual(['code-server exited']);
  });
});
