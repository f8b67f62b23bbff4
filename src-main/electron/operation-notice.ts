/**
 * What to tell the user when a long operation ends while they are looking elsewhere: success of the slow
 * ones (create, start, rebuild, delete), and any failure. Nothing while Tidepool's window has focus (the
 * window shows it), and nothing for a cancel (the user did that).
 */
import type { OperationKind, OperationProgress, Workspace } from '../../src-shared/workspace.js';

export interface Notice {
  title: string;
  body: string;
}

const SUCCESS: Partial<Record<OperationKind, (name: string) => Notice>> = {
  create: (name) => ({ title: `“${name}” is ready`, body: 'Your new workspace is running. Click to open it.' }),
  start: (name) => ({ title: `“${name}” is running`, body: 'Click to open it.' }),
  rebuild: (name) => ({ title: `“${name}” was rebuilt`, body: 'It runs on the new image. Click to open it.' }),
  delete: (name) => ({ title: `“${name}” was deleted`, body: 'Its instance and files are gone.' }),
};

const VERBS: Record<OperationKind, string> = {
  create: 'create',
  start: 'start',
  stop: 'stop',
  delete: 'delete',
  open: 'open',
  rebuild: 'rebuild',
};

/**
 * `workspace` is the record after the operation (undefined once deleted); `name` comes from the record
 * seen when the operation began, so a deleted workspace is still named.
 */
export function operationNotice(
  progress: OperationProgress,
  name: string,
  workspace: Workspace | undefined,
  windowFocused: boolean,
): Notice | null {
  if (!progress.done || windowFocused) return null;
  if (progress.failed) {
    if (workspace?.lastError?.code === 'CANCELLED' || (!workspace && progress.operation === 'create')) return null;
    const reason = workspace?.lastError?.message ?? progress.message;
    return {
      title: `Couldn't ${VERBS[progress.operation]} “${name}”`,
      body: reason ? reason : 'Open Tidepool to see what went wrong.',
    };
  }
  return SUCCESS[progress.operation]?.(name) ?? null;
}
