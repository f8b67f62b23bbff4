import { describe, expect, it } from 'vitest';
import { activeTab, createNavigationStore } from './navigation-store.js';

describe('navigation', () => {
  it('has one IDE and one Logs tab per workspace, and numbered terminals', () => {
    const nav = createNavigationStore();
    const ide = nav.getState().openIde('a');
    nav.getState().openLogs('a');
    expect(nav.getState().openIde('a').id).toBe(ide.id);
    expect(activeTab(nav.getState())?.id).toBe(ide.id);
    nav.getState().openTerminal('a');
    nav.getState().openTerminal('a');
    nav.getState().openTerminal('b');
    expect(nav.getState().tabs.map((tab) => `${tab.kind}:${tab.workspaceId}:${tab.number}`)).toEqual([
      'ide:a:1',
      'logs:a:1',
      'terminal:a:1',
      'terminal:a:2',
      'terminal:b:1',
    ]);
  });

  it('after closing the selected tab selects its right neighbour, else the left, else the workspace page', () => {
    const nav = createNavigationStore();
    const first = nav.getState().openIde('a');
    const second = nav.getState().openTerminal('a');
    const third = nav.getState().openLogs('a');
    nav.getState().activate(second.id);
    nav.getState().close(second.id);
    expect(activeTab(nav.getState())?.id).toBe(third.id);
    nav.getState().close(third.id);
    expect(activeTab(nav.getState())?.id).toBe(first.id);
    nav.getState().close(first.id);
    expect(nav.getState().location).toEqual({ kind: 'workspace', workspaceId: 'a' });
  });

  it('closing a background tab leaves the selection alone', () => {
    const nav = createNavigationStore();
    const first = nav.getState().openIde('a');
    nav.getState().openLogs('a');
    nav.getState().navigate({ kind: 'settings' });
    nav.getState().close(first.id);
    expect(nav.getState().location).toEqual({ kind: 'settings' });
  });

  it('cycles both ways and wraps', () => {
    const nav = createNavigationStore();
    const tabs = [nav.getState().openIde('a'), nav.getState().openTerminal('a'), nav.getState().openLogs('a')];
    nav.getState().cycle(1);
    expect(activeTab(nav.getState())?.id).toBe(tabs[0]!.id);
    nav.getState().cycle(-1);
    expect(activeTab(nav.getState())?.id).toBe(tabs[2]!.id);
    nav.getState().navigate({ kind: 'home' });
    nav.getState().cycle(1);
    expect(activeTab(nav.getState())?.id).toBe(tabs[0]!.id);
  });

  it('forgets a removed workspace’s tabs and page', () => {
    const nav = createNavigationStore();
    nav.getState().openIde('a');
    const other = nav.getState().openIde('b');
    nav.getState().navigate({ kind: 'workspace', workspaceId: 'a' });
    nav.getState().forgetWorkspace('a');
    expect(nav.getState().tabs).toEqual([other]);
    expect(nav.getState().location).toEqual({ kind: 'home' });
  });
});
