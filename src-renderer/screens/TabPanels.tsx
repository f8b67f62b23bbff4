import { lazy, Suspense } from 'react';
import { useAppStore } from '../app/app-context.js';
import { panelDomId, tabDomId } from '../components/tab-title.js';
import type { Tab } from '../state/navigation-store.js';
import { IdeTab } from './tabs/IdeTab.js';
import { LogsTab } from './tabs/LogsTab.js';

// xterm.js is a third of the bundle; load it with the first terminal.
const TerminalTab = lazy(() => import('./tabs/TerminalTab.js').then((module) => ({ default: module.TerminalTab })));

function TabContent({ tab, active }: { tab: Tab; active: boolean }) {
  if (tab.kind === 'ide') return <IdeTab tab={tab} active={active} />;
  if (tab.kind === 'terminal') {
    return (
      <Suspense fallback={<div className="tab-center muted">Loading the terminal…</div>}>
        <TerminalTab tab={tab} active={active} />
      </Suspense>
    );
  }
  return <LogsTab tab={tab} active={active} />;
}

/** Every open tab stays mounted (shells and IDEs keep running); only the active one is shown. */
export function TabPanels() {
  const tabs = useAppStore('navigation', (state) => state.tabs);
  const location = useAppStore('navigation', (state) => state.location);
  return (
    <>
      {tabs.map((tab) => {
        const active = location.kind === 'tab' && location.tabId === tab.id;
        return (
          <div key={tab.id} role="tabpanel" id={panelDomId(tab)} aria-labelledby={tabDomId(tab)} hidden={!active} className="tab-panel">
            <TabContent tab={tab} active={active} />
          </div>
        );
      })}
    </>
  );
}
