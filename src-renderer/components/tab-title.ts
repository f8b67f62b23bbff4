import type { Tab } from '../state/navigation-store.js';

export function tabTitle(tab: Tab, workspaceName: string): string {
  if (tab.kind === 'ide') return workspaceName;
  if (tab.kind === 'logs') return `${workspaceName} — Logs`;
  return `${workspaceName} — Terminal${tab.number > 1 ? ` ${tab.number}` : ''}`;
}

export const tabDomId = (tab: Tab): string => `tab-${tab.id}`;
export const panelDomId = (tab: Tab): string => `panel-${tab.id}`;
