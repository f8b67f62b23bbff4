import { useEffect } from 'react';
import { useApp, useAppStore } from '../app/app-context.js';
import { ConnectionBanner } from '../components/ConnectionBanner.js';
import { OrphanBanner } from '../components/OrphanBanner.js';
import { Sidebar } from '../components/Sidebar.js';
import { TabStrip } from '../components/TabStrip.js';
import { tabTitle } from '../components/tab-title.js';
import type { Page } from '../state/navigation-store.js';
import { DialogHost } from './DialogHost.js';
import { HomeScreen } from './HomeScreen.js';
import { SettingsScreen } from './SettingsScreen.js';
import { SetupScreen } from './setup/SetupScreen.js';
import { TabPanels } from './TabPanels.js';
import { WorkspaceScreen } from './workspace/WorkspaceScreen.js';

function PageView({ page }: { page: Page }) {
  const workspace = useAppStore('workspaces', (state) => (page.kind === 'workspace' ? state.byId[page.workspaceId] : undefined));
  if (page.kind === 'setup') return <SetupScreen onboarding={false} />;
  if (page.kind === 'settings') return <SettingsScreen />;
  if (page.kind === 'workspace') return workspace ? <WorkspaceScreen workspace={workspace} /> : <HomeScreen />;
  return <HomeScreen />;
}

/** Follows the theme setting; “system” leaves it to the operating system's appearance. */
function useThemeSetting(): void {
  const theme = useAppStore('settings', (state) => state.settings?.theme ?? 'system');
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
}

/** Which way a key cycles tabs: Ctrl+Tab / Ctrl+Shift+Tab, and Cmd+Shift+] / Cmd+Shift+[ as in Mac browsers. */
function cycleDirection(event: KeyboardEvent): 1 | -1 | null {
  if (event.altKey) return null;
  if (event.code === 'Tab' && event.ctrlKey && !event.metaKey) return event.shiftKey ? -1 : 1;
  if (event.metaKey && event.shiftKey && !event.ctrlKey) {
    if (event.code === 'BracketRight') return 1;
    if (event.code === 'BracketLeft') return -1;
  }
  return null;
}

/** Tab cycling works from anywhere, including from inside a terminal (the IDE view's keys come via main). */
function useTabCycling(): void {
  const { stores } = useApp();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      const direction = cycleDirection(event);
      if (direction === null || stores.ui.getState().overlays > 0) return;
      event.preventDefault();
      event.stopPropagation();
      stores.navigation.getState().cycle(direction);
    };
    window.addEventListener('keydown', onKeyDown, { capture: true });
    return () => window.removeEventListener('keydown', onKeyDown, { capture: true });
  }, [stores]);
}

function useWindowTitle(): void {
  const location = useAppStore('navigation', (state) => state.location);
  const tabs = useAppStore('navigation', (state) => state.tabs);
  const byId = useAppStore('workspaces', (state) => state.byId);
  useEffect(() => {
    let title = 'Tidepool';
    if (location.kind === 'tab') {
      const tab = tabs.find((candidate) => candidate.id === location.tabId);
      if (tab) title = `${tabTitle(tab, byId[tab.workspaceId]?.name ?? 'Workspace')} — Tidepool`;
    } else if (location.kind === 'workspace' && byId[location.workspaceId]) {
      title = `${byId[location.workspaceId]!.name} — Tidepool`;
    }
    document.title = title;
  }, [location, tabs, byId]);
}

/** Sidebar, banners, tab strip and the current page or tab; dialogs on top. */
export function AppShell() {
  const location = useAppStore('navigation', (state) => state.location);
  const overlays = useAppStore('ui', (state) => state.overlays);
  useThemeSetting();
  useTabCycling();
  useWindowTitle();

  return (
    <>
      <div className="app" inert={overlays > 0}>
        <Sidebar />
        <main className="main">
          <ConnectionBanner />
          <OrphanBanner />
          <TabStrip />
          <div className="content">
            {location.kind !== 'tab' ? <PageView page={location} /> : null}
            <TabPanels />
          </div>
        </main>
      </div>
      <DialogHost />
    </>
  );
}
