/**
 * Where the user is: a page picked in the sidebar (home, set-up, settings, a workspace's details) or one of
 * the open tabs (an IDE, a terminal, a workspace's logs). Tabs live until closed; pages are just places.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';

export type TabKind = 'ide' | 'terminal' | 'logs';

export interface Tab {
  id: string;
  kind: TabKind;
  workspaceId: string;
  /** Terminals are numbered per workspace: “Terminal 2”. */
  number: number;
}

export type Page = { kind: 'home' } | { kind: 'setup' } | { kind: 'settings' } | { kind: 'workspace'; workspaceId: string };

export type Location = Page | { kind: 'tab'; tabId: string };

export interface NavigationState {
  tabs: Tab[];
  location: Location;
  navigate(page: Page): void;
  activate(tabId: string): void;
  /** Focuses the workspace's IDE tab, opening it if needed. */
  openIde(workspaceId: string): Tab;
  openTerminal(workspaceId: string): Tab;
  /** Focuses the workspace's Logs tab, opening it if needed. */
  openLogs(workspaceId: string): Tab;
  close(tabId: string): void;
  /** Moves to the next (1) or previous (-1) tab, wrapping around. */
  cycle(direction: 1 | -1): void;
  /** The workspace is gone: close its tabs and leave its page. */
  forgetWorkspace(workspaceId: string): void;
}

export type NavigationStore = StoreApi<NavigationState>;

export function activeTab(state: Pick<NavigationState, 'tabs' | 'location'>): Tab | null {
  const { location } = state;
  return location.kind === 'tab' ? (state.tabs.find((tab) => tab.id === location.tabId) ?? null) : null;
}

export function createNavigationStore(): NavigationStore {
  let counter = 0;
  return createStore<NavigationState>()((set, get) => {
    const add = (kind: TabKind, workspaceId: string, number: number): Tab => {
      counter += 1;
      const tab: Tab = { id: `tab-${counter}`, kind, workspaceId, number };
      set((state) => ({ tabs: [...state.tabs, tab], location: { kind: 'tab', tabId: tab.id } }));
      return tab;
    };
    const focusOrAdd = (kind: TabKind, workspaceId: string): Tab => {
      const existing = get().tabs.find((tab) => tab.kind === kind && tab.workspaceId === workspaceId);
      if (!existing) return add(kind, workspaceId, 1);
      set({ location: { kind: 'tab', tabId: existing.id } });
      return existing;
    };
    return {
      tabs: [],
      location: { kind: 'home' },
      navigate: (page) => set({ location: page }),
      activate: (tabId) => {
        if (get().tabs.some((tab) => tab.id === tabId)) set({ location: { kind: 'tab', tabId } });
      },
      openIde: (workspaceId) => focusOrAdd('ide', workspaceId),
      openLogs: (workspaceId) => focusOrAdd('logs', workspaceId),
      openTerminal: (workspaceId) => {
        const numbers = get()
          .tabs.filter((tab) => tab.kind === 'terminal' && tab.workspaceId === workspaceId)
          .map((tab) => tab.number);
        return add('terminal', workspaceId, Math.max(0, ...numbers) + 1);
      },
      close: (tabId) =>
        set((state) => {
          const index = state.tabs.findIndex((tab) => tab.id === tabId);
          if (index === -1) return {};
          const closing = state.tabs[index]!;
          const tabs = state.tabs.filter((tab) => tab.id !== tabId);
          if (state.location.kind !== 'tab' || state.location.tabId !== tabId) return { tabs };
          // Like a browser: the tab to the right takes focus, else the one to the left, else the workspace.
          const neighbour = tabs[index] ?? tabs[index - 1];
          const location: Location = neighbour
            ? { kind: 'tab', tabId: neighbour.id }
            : { kind: 'workspace', workspaceId: closing.workspaceId };
          return { tabs, location };
        }),
      cycle: (direction) =>
        set((state) => {
          if (state.tabs.length === 0) return {};
          const current = activeTab(state);
          const index = current ? state.tabs.indexOf(current) : direction === 1 ? -1 : 0;
          const next = state.tabs[(index + direction + state.tabs.length) % state.tabs.length]!;
          return { location: { kind: 'tab', tabId: next.id } };
        }),
      forgetWorkspace: (workspaceId) =>
        set((state) => {
          const tabs = state.tabs.filter((tab) => tab.workspaceId !== workspaceId);
          const { location } = state;
          const lost =
            (location.kind === 'workspace' && location.workspaceId === workspaceId) ||
            (location.kind === 'tab' && !tabs.some((tab) => tab.id === location.tabId));
          return { tabs, location: lost ? { kind: 'home' } : location };
        }),
    };
  });
}
