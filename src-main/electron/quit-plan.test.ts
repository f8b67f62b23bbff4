import { describe, expect, it } from 'vitest';
import type { Workspace, WorkspaceState } from '../../src-shared/workspace.js';
import { quitAnswer, quitPlan, quitQuestion, runningWorkspaces } from './quit-plan.js';

const ws = (name: string, state: WorkspaceState) => ({ id: `id-${name}`, name, state }) as Workspace;

describe('quitting with workspaces still running', () => {
  const running = runningWorkspaces([ws('web', 'ready'), ws('api', 'stopped'), ws('db', 'starting'), ws('old', 'error')]);

  it('counts ready and starting workspaces as running, not stopped or failed ones', () => {
    expect(running.map((workspace) => workspace.name)).toEqual(['web', 'db']);
  });

  it('quits at once when nothing runs, whatever the setting', () => {
    for (const behaviour of ['ask', 'stop', 'leave-running'] as const) expect(quitPlan(behaviour, [])).toEqual({ kind: 'quit' });
  });

  it('asks by default, stops or leaves them when the user said so before', () => {
    expect(quitPlan('ask', running)).toEqual({ kind: 'ask' });
    expect(quitPlan('stop', running)).toEqual({ kind: 'stop', ids: ['id-web', 'id-db'] });
    expect(quitPlan('leave-running', running)).toEqual({ kind: 'quit' });
  });

  it('names the running workspaces in the question and offers to remember the answer', () => {
    expect(quitQuestion([ws('web', 'ready')]).message).toBe('“web” is still running.');
    const many = quitQuestion([ws('a', 'ready'), ws('b', 'ready'), ws('c', 'ready'), ws('d', 'ready')]);
    expect(many.message).toBe('4 workspaces are still running.');
    expect(many.detail).toMatch(/^“a”, “b”, “c” and 1 more\. /);
    expect(many.buttons[many.cancelId]).toBe('Cancel');
    expect(many.checkboxLabel).toBe('Remember my choice');
  });

  it('maps the buttons to stop, leave running or cancel', () => {
    expect(quitAnswer(0, true)).toEqual({ kind: 'stop', remember: true });
    expect(quitAnswer(1, false)).toEqual({ kind: 'leave-running', remember: false });
    expect(quitAnswer(2, true)).toEqual({ kind: 'cancel' });
  });
});
