/**
 * Follows one workspace operation to its end through the pushed events, the same way over the local
 * socket and in-process. Listening starts before the call, so nothing is missed when the operation
 * finishes before its call returns.
 */
import type { OperationKind, OperationProgress, Workspace } from '../../src-shared/workspace.js';
import { isErrorCode, TidepoolError } from '../../src-shared/errors.js';
import type { Backend } from './backend.js';

export interface OperationOutcome {
  /** The last progress seen, or null when nothing had to run (already in the wanted state). */
  progress: OperationProgress | null;
  /** The workspace afterwards, or null when it is gone (deleted, or a cancelled create rolled back). */
  workspace: Workspace | null;
}

export class OperationWatch {
  private readonly seen = new Map<string, OperationProgress[]>();
  private target: string | null = null;
  private finished: ((progress: OperationProgress) => void) | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly backend: Backend,
    private readonly operation: OperationKind,
    private readonly onProgress: (progress: OperationProgress) => void,
  ) {
    this.unsubscribe = backend.onEvent((event, payload) => {
      if (event !== 'progress') return;
      const progress = payload as OperationProgress;
      if (progress.operation !== this.operation) return;
      if (this.target === null) {
        this.seen.set(progress.workspaceId, [...(this.seen.get(progress.workspaceId) ?? []), progress]);
        return;
      }
      if (progress.workspaceId !== this.target) return;
      this.onProgress(progress);
      if (progress.done) this.finished?.(progress);
    });
  }

  /** Waits for the operation on this workspace to end; call right after the call that started it returned. */
  async until(workspaceId: string): Promise<OperationOutcome> {
    this.target = workspaceId;
    let last: OperationProgress | null = null;
    for (const progress of this.seen.get(workspaceId) ?? []) {
      this.onProgress(progress);
      last = progress;
    }
    this.seen.clear();
    try {
      if (!last?.done) {
        const ended = new Promise<OperationProgress>((resolve) => (this.finished = resolve));
        // Events and results arrive in order: if nothing is running now, nothing more will come.
        const running = (await this.backend.call('getProgress', {})).find(
          (progress) => progress.workspaceId === workspaceId && progress.operation === this.operation && !progress.done,
        );
        if (running || last) last = await ended;
      }
      return { progress: last, workspace: await this.workspace(workspaceId) };
    } finally {
      this.unsubscribe();
    }
  }

  dispose(): void {
    this.unsubscribe();
  }

  private async workspace(id: string): Promise<Workspace | null> {
    try {
      return await this.backend.call('getWorkspace', { id });
    } catch (error) {
      if (error instanceof TidepoolError && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }
}

/** The failure an ended operation left on its workspace, as a typed error. */
export function failureOf(outcome: OperationOutcome, fallback: string): TidepoolError | null {
  if (!outcome.progress?.failed) return null;
  // A cancelled operation leaves the workspace stopped (or rolls a create back), not in error.
  const lastError = outcome.workspace?.state === 'error' ? outcome.workspace.lastError : null;
  if (!lastError) return new TidepoolError({ code: 'CANCELLED', message: fallback });
  return new TidepoolError({
    code: isErrorCode(lastError.code) ? lastError.code : 'INTERNAL',
    message: lastError.message,
    ...(lastError.hint !== undefined ? { hint: lastError.hint } : {}),
    ...(lastError.detail !== undefined ? { detail: lastError.detail } : {}),
  });
}
