import { useRef, type KeyboardEvent } from 'react';
import { useApp, useAppStore } from '../app/app-context.js';
import type { Tab } from '../state/navigation-store.js';
import { Icon, type IconName } from './Icon.js';
import { panelDomId, tabDomId, tabKindSuffix, tabTitle } from './tab-title.js';

const ICONS: Record<Tab['kind'], IconName> = { ide: 'code', terminal: 'terminal', logs: 'logs' };

/**
 * Open IDEs, terminals and logs. Arrow keys move between tabs, Delete closes the focused one; Ctrl+Tab and
 * Ctrl+Shift+Tab cycle from anywhere (see AppShell).
 */
export function TabStrip() {
  const { stores } = useApp();
  const tabs = useAppStore('navigation', (state) => state.tabs);
  const location = useAppStore('navigation', (state) => state.location);
  const names = useAppStore('workspaces', (state) => state.byId);
  const strip = useRef<HTMLDivElement>(null);
  const { activate, close } = stores.navigation.getState();

  if (tabs.length === 0) return null;
  const activeId = location.kind === 'tab' ? location.tabId : null;
  const focusTarget = activeId ?? tabs[0]!.id;

  const focusTab = (index: number) => {
    const tab = tabs[(index + tabs.length) % tabs.length]!;
    strip.current?.querySelector<HTMLElement>(`#${tabDomId(tab)}`)?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number, tab: Tab) => {
    if (event.key === 'ArrowRight') focusTab(index + 1);
    else if (event.key === 'ArrowLeft') focusTab(index - 1);
    else if (event.key === 'Home') focusTab(0);
    else if (event.key === 'End') focusTab(tabs.length - 1);
    else if (event.key === 'Delete') close(tab.id);
    else return;
    event.preventDefault();
  };

  return (
    <div className="tab-strip" role="tablist" aria-label="Open tabs" ref={strip}>
      {tabs.map((tab, index) => {
        const name = names[tab.workspaceId]?.name ?? 'Workspace';
        const kind = tabKindSuffix(tab);
        const title = tabTitle(tab, name);
        const selected = tab.id === activeId;
        return (
          <div key={tab.id} className={`tab${selected ? ' selected' : ''}`}>
            <button
              type="button"
              role="tab"
              id={tabDomId(tab)}
              aria-selected={selected}
              aria-controls={panelDomId(tab)}
              tabIndex={tab.id === focusTarget ? 0 : -1}
              className="tab-button"
              onClick={() => activate(tab.id)}
              onKeyDown={(event) => onKeyDown(event, index, tab)}
              onAuxClick={(event) => {
                if (event.button === 1) close(tab.id);
              }}
            >
              <Icon name={ICONS[tab.kind]} size={14} />
              <span className="tab-title">
                <span className="tab-title-name">{name}</span>
                {kind ? <span className="tab-title-kind">{kind}</span> : null}
              </span>
            </button>
            <button
              type="button"
              className="tab-close"
              aria-label={`Close ${title}`}
              title={tab.kind === 'terminal' ? 'Close (ends the shell)' : 'Close'}
              tabIndex={selected ? 0 : -1}
              onClick={() => close(tab.id)}
            >
              <Icon name="close" size={12} />
            </button>
          </div>
        );
      })}
    </div>
  );
}
