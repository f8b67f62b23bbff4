/**
 * What quitting does with workspaces that are still running: ask (the default), stop them, or leave them
 * running (a relaunch finds them again and reattaches). The answer can be remembered as the
 * quitBehaviour setting.
 */
import type { Settings, Workspace, WorkspaceState } from '../../src-shared/workspace.js';

/** Up, or on the way up: quitting would otherwise leave these running. */
const RUNNING: readonly WorkspaceState[] = ['starting', 'configuring', 'ready'];

export function runningWorkspaces(workspaces: readonly Workspace[]): Workspace[] {
  return workspaces.filter((workspace) => RUNNING.includes(workspace.state));
}

export type QuitPlan = { kind: 'quit' } | { kind: 'ask' } | { kind: 'stop'; ids: string[] };

export function quitPlan(behaviour: Settings['quitBehaviour'], running: readonly Workspace[]): QuitPlan {
  if (running.length === 0 || behaviour === 'leave-running') return { kind: 'quit' };
  if (behaviour === 'stop') return { kind: 'stop', ids: running.map((workspace) => workspace.id) };
  return { kind: 'ask' };
}

export const QUIT_BUTTONS = ['Stop and Quit', 'Leave Running', 'Cancel'] as const;

export interface QuitQuestion {
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
  checkboxLabel: string;
}

export function quitQuestion(running: readonly Workspace[]): QuitQuestion {
  const names = running.map((workspace) => `“${workspace.name}”`);
  const them = running.length === 1 ? 'it' : 'them';
  const list = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return {
    message: running.length === 1 ? `${list} is still running.` : `${running.length} workspaces are still running.`,
    detail: `${running.length === 1 ? '' : `${list}. `}Stop ${them} before quitting, or leave ${them} running: Tidepool finds ${them} again next time it opens.`,
    buttons: [...QUIT_BUTTONS],
    defaultId: 0,
    cancelId: 2,
    checkboxLabel: 'Remember my choice',
  };
}

export type QuitAnswer = { kind: 'cancel' } | { kind: 'stop' | 'leave-running'; remember: boolean };

export function quitAnswer(response: number, checkboxChecked: boolean): QuitAnswer {
  if (response === 0) return { kind: 'stop', remember: checkboxChecked };
  if (response === 1) return { kind: 'leave-running', remember: checkboxChecked };
  return { kind: 'cancel' };
}
