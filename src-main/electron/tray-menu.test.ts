import { describe, expect, it } from 'vitest';
import type { HostStatus, Workspace, WorkspaceState } from '../../src-shared/workspace.js';
import { exampleWorkspace } from '../../src-shared/testing/example-workspace.js';
import { buildTrayMenu, type TrayMenuItem } from './tray-menu.js';

function workspace(name: string, state: WorkspaceState): Workspace {
  return exampleWorkspace({ name, state, runtime: 'simulated', instanceName: `tidepool-${name}` });
}

const readyHost: HostStatus = { platform: 'darwin', runtimes: [], selected: 'tart', selectedBy: 'auto', ready: true };

/** Label → enabled of a workspace's submenu. */
function actions(item: TrayMenuItem | undefined): Record<string, boolean> {
  if (item?.type !== 'submenu') throw new Error('not a workspace submenu');
  return Object.fromEntries(item.submenu.map((entry) => (entry.type === 'normal' ? [entry.label, entry.enabled] : ['-', false])));
}

const labels = (items: TrayMenuItem[]) => items.map((item) => (item.type === 'separator' ? '—' : item.label));

describe('tray menu', () => {
  it('lists each workspace by name with its state, then New workspace…, Show Tidepool and Quit', () => {
    const model = buildTrayMenu([workspace('web', 'ready'), workspace('api', 'stopped')], readyHost);
    expect(labels(model.items)).toEqual(['api — Stopped', 'web — Running', '—', 'New workspace…', 'Show Tidepool', '—', 'Quit Tidepool']);
  });

  it('enables Open / Start / Stop according to the state', () => {
    const expected: Record<WorkspaceState, Record<string, boolean>> = {
      ready: { Open: true, Start: false, Stop: true },
      stopped: { Open: true, Start: true, Stop: false },
      error: { Open: true, Start: true, Stop: false },
      creating: { Open: true, Start: false, Stop: false },
      starting: { Open: true, Start: false, Stop: false },
      configuring: { Open: true, Start: false, Stop: false },
      stopping: { Open: false, Start: false, Stop: false },
      deleting: { Open: false, Start: false, Stop: false },
    };
    for (const [state, enabled] of Object.entries(expected)) {
      const model = buildTrayMenu([workspace('one', state as WorkspaceState)], readyHost);
      expect(actions(model.items[0]), state).toEqual(enabled);
    }
  });

  it("each action names the workspace it acts on", () => {
    const target = workspace('target', 'stopped');
    const model = buildTrayMenu([workspace('other', 'ready'), target], readyHost);
    const item = model.items.find((entry) => entry.type === 'submenu' && entry.label.startsWith('target'));
    expect(item?.type === 'submenu' ? item.submenu.map((entry) => (entry.type === 'normal' ? entry.action : null)) : null).toEqual([
      { kind: 'open', id: target.id },
      { kind: 'start', id: target.id },
      { kind: 'stop', id: target.id },
    ]);
  });

  it('shows the idle icon with nothing running, running while any is up or busy, failing when any failed', () => {
    expect(buildTrayMenu([], readyHost).icon).toBe('idle');
    expect(buildTrayMenu([workspace('a', 'stopped')], readyHost).icon).toBe('idle');
    expect(buildTrayMenu([workspace('a', 'stopped'), workspace('b', 'starting')], readyHost).icon).toBe('running');
    expect(buildTrayMenu([workspace('a', 'ready')], readyHost).icon).toBe('running');
    expect(buildTrayMenu([workspace('a', 'ready'), workspace('b', 'error')], readyHost).icon).toBe('failing');
  });

  it('says how many run and failed in the tooltip', () => {
    expect(buildTrayMenu([workspace('a', 'ready'), workspace('b', 'ready'), workspace('c', 'error')], readyHost).tooltip).toBe(
      'Tidepool — 2 running, 1 failed',
    );
    expect(buildTrayMenu([], readyHost).tooltip).toBe('Tidepool');
  });

  it('with no workspaces says so, and offers set-up when no runtime is ready', () => {
    const model = buildTrayMenu([], { ...readyHost, ready: false, selected: null, selectedBy: 'none' });
    expect(labels(model.items)).toEqual(['No workspaces yet', '—', 'Set up a runtime…', 'New workspace…', 'Show Tidepool', '—', 'Quit Tidepool']);
    expect(model.items[0]).toMatchObject({ enabled: false });
  });
});
