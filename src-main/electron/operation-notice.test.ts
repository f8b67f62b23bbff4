import { describe, expect, it } from 'vitest';
import type { OperationProgress, Workspace } from '../../src-shared/workspace.js';
import { operationNotice } from './operation-notice.js';

function progress(patch: Partial<OperationProgress>): OperationProgress {
  return {
    workspaceId: 'w1',
    operation: 'create',
    step: 'ide',
    steps: ['provision', 'boot', 'ide'],
    message: '',
    startedAt: '2026-11-21T00:00:00.000Z',
    stepStartedAt: '2026-11-21T00:01:00.000Z',
    done: true,
    failed: false,
    ...patch,
  };
}

const workspace = (lastError: Workspace['lastError'] = null) => ({ id: 'w1', name: 'web', lastError }) as Workspace;

describe('notice when an operation ends', () => {
  it('announces a finished create or start while the window is not focused', () => {
    expect(operationNotice(progress({}), 'web', workspace(), false)?.title).toBe('“web” is ready');
    expect(operationNotice(progress({ operation: 'start' }), 'web', workspace(), false)?.title).toBe('“web” is running');
    expect(operationNotice(progress({ operation: 'delete' }), 'web', undefined, false)?.title).toBe('“web” was deleted');
  });

  it('stays quiet while the window has focus, while running, and for quick operations', () => {
    expect(operationNotice(progress({}), 'web', workspace(), true)).toBeNull();
    expect(operationNotice(progress({ done: false }), 'web', workspace(), false)).toBeNull();
    expect(operationNotice(progress({ operation: 'stop' }), 'web', workspace(), false)).toBeNull();
    expect(operationNotice(progress({ operation: 'open' }), 'web', workspace(), false)).toBeNull();
  });

  it('reports any failure with the reason the workspace recorded', () => {
    const failed = workspace({ code: 'TIMEOUT', message: 'The VM did not get an address in 2 minutes.', at: '2026-11-21T00:02:00.000Z' });
    expect(operationNotice(progress({ operation: 'stop', failed: true }), 'web', failed, false)).toEqual({
      title: 'Couldn\'t stop “web”',
      body: 'The VM did not get an address in 2 minutes.',
    });
    expect(operationNotice(progress({ operation: 'start', failed: true }), 'web', workspace(), false)?.body).toBe(
      'Open Tidepool to see what went wrong.',
    );
  });

  it('says nothing about a cancel, or a cancelled create that was rolled back', () => {
    const cancelled = workspace({ code: 'CANCELLED', message: 'Cancelled.', at: '2026-11-21T00:02:00.000Z' });
    expect(operationNotice(progress({ operation: 'start', failed: true }), 'web', cancelled, false)).toBeNull();
    expect(operationNotice(progress({ failed: true }), 'web', undefined, false)).toBeNull();
  });
});
