import type { Tab } from '../state/navigation-store.js';

export function tabTitle(tab: Tab, workspaceName: string): string {
  return `${workspaceName}${tabKindSuffix(tab)}`;
}

/** What follows the workspace's name: kept whole when a long name is cut, so two terminals stay apart. */
export function tabKindSuffix(tab: Tab): string {
  if (tab.kind === 'ide') return '';
  if (tab.kind === 'logs') return ' — Logs';
  return ` — Terminal${tab.number > 1 ? ` ${tab.number}` : ''}`;
}

export const tabDomId = (tab: Tab): string => `tab-${tab.id}`;
export const panelDomId = (tab: Tab): string => `panel-${tab.id}`;
