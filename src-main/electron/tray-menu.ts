/**
 * The menu-bar (tray) menu as plain data, rebuilt from state on every change: one submenu per workspace
 * (its state, and Open / Start / Stop enabled only when they make sense), then New workspace…, Show
 * Tidepool and Quit; plus which icon to show. Submenus, because macOS ignores `enabled` on top-level
 * tray items.
 */
import type { HostStatus, Workspace, WorkspaceState } from '../../src-shared/workspace.js';

export type TrayAction =
  | { kind: 'open'; id: string }
  | { kind: 'start'; id: string }
  | { kind: 'stop'; id: string }
  | { kind: 'newWorkspace' }
  | { kind: 'show' }
  | { kind: 'quit' };

export type TrayMenuItem =
  | { type: 'separator' }
  | { type: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { type: 'submenu'; label: string; submenu: TrayMenuItem[] };

export type TrayIcon = 'idle' | 'running' | 'failing';

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  items: TrayMenuItem[];
}

const STATE_LABELS: Record<WorkspaceState, string> = {
  creating: 'Creating…',
  starting: 'Starting…',
  configuring: 'Starting…',
  ready: 'Running',
  stopping: 'Stopping…',
  stopped: 'Stopped',
  deleting: 'Deleting…',
  error: 'Failed',
};

/** Open starts a stopped workspace and waits for one on its way up; not while it is going away. */
const CAN_OPEN: readonly WorkspaceState[] = ['creating', 'starting', 'configuring', 'ready', 'stopped', 'error'];
const CAN_START: readonly WorkspaceState[] = ['stopped', 'error'];
const CAN_STOP: readonly WorkspaceState[] = ['ready'];
const ACTIVE: readonly WorkspaceState[] = ['creating', 'starting', 'configuring', 'ready', 'stopping', 'deleting'];

function workspaceItem(workspace: Workspace): TrayMenuItem {
  const { id, state } = workspace;
  return {
    type: 'submenu',
    label: `${workspace.name} — ${STATE_LABELS[state]}`,
    submenu: [
      { type: 'normal', label: 'Open', enabled: CAN_OPEN.includes(state), action: { kind: 'open', id } },
      { type: 'normal', label: 'Start', enabled: CAN_START.includes(state), action: { kind: 'start', id } },
      { type: 'normal', label: 'Stop', enabled: CAN_STOP.includes(state), action: { kind: 'stop', id } },
    ],
  };
}

export function trayIcon(workspaces: readonly Workspace[]): TrayIcon {
  if (workspaces.some((workspace) => workspace.state === 'error')) return 'failing';
  if (workspaces.some((workspace) => ACTIVE.includes(workspace.state))) return 'running';
  return 'idle';
}

function tooltip(workspaces: readonly Workspace[]): string {
  const running = workspaces.filter((workspace) => workspace.state === 'ready').length;
  const failed = workspaces.filter((workspace) => workspace.state === 'error').length;
  const parts = [running > 0 ? `${running} running` : null, failed > 0 ? `${failed} failed` : null].filter(Boolean);
  return parts.length > 0 ? `Tidepool — ${parts.join(', ')}` : 'Tidepool';
}

export function buildTrayMenu(workspaces: readonly Workspace[], status: HostStatus | null): TrayModel {
  const sorted = [...workspaces].sort((a, b) => a.name.localeCompare(b.name));
  const items: TrayMenuItem[] =
    sorted.length > 0 ? sorted.map(workspaceItem) : [{ type: 'normal', label: 'No workspaces yet', enabled: false }];
  items.push({ type: 'separator' });
  if (status !== null && !status.ready) {
    items.push({ type: 'normal', label: 'Set up a runtime…', enabled: true, action: { kind: 'show' } });
  }
  items.push(
    { type: 'normal', label: 'New workspace…', enabled: true, action: { kind: 'newWorkspace' } },
    { type: 'normal', label: 'Show Tidepool', enabled: true, action: { kind: 'show' } },
    { type: 'separator' },
    { type: 'normal', label: 'Quit Tidepool', enabled: true, action: { kind: 'quit' } },
  );
  return { icon: trayIcon(workspaces), tooltip: tooltip(workspaces), items };
}
