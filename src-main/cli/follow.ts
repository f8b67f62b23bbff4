/**
 * Runs one workspace operation the way every lifecycle command does: start it, show its steps on stderr
 * while waiting (unless --no-wait), cancel it on Ctrl-C when it can be cancelled, and turn a failure left
 * on the workspace into a typed error.
 */
import { TidepoolError } from '../../src-shared/errors.js';
import type { OperationKind } from '../../src-shared/workspace.js';
import type { CommandContext } from './context.js';
import { onInterrupt } from './interrupt.js';
import { failureOf, OperationWatch, type OperationOutcome } from './operation-watch.js';
import { StepProgress } from './progress.js';

export interface FollowOptions {
  operation: OperationKind;
  /** Says what happens, for messages: "Creating “web”". */
  name: string;
  /** The closing progress line on success: "“web” is ready". */
  done: string;
  wait: boolean;
  /** Starts the operation; returns the workspace's id. */
  begin(): Promise<string>;
  cancellable: boolean;
}

export interface FollowResult {
  /** False when --no-wait returned before the end. */
  waited: boolean;
  outcome: OperationOutcome | null;
  workspaceId: string;
}

export async function followOperation(ctx: CommandContext, options: FollowOptions): Promise<FollowResult> {
  const backend = await ctx.backend();
  const mustWait = options.wait || backend.mode === 'standalone';
  if (!options.wait && mustWait) {
    ctx.note(
      'Tidepool is not running in the background (no app, no `tidepool serve`), so this command stays until the work is done.',
    );
  }
  const view = new StepProgress(ctx.io.stderr as NodeJS.WriteStream);
  const watch = new OperationWatch(backend, options.operation, (progress) => view.update(progress));
  let workspaceId: string;
  try {
    workspaceId = await options.begin();
  } catch (error) {
    watch.dispose();
    throw error;
  }
  if (!mustWait) {
    watch.dispose();
    return { waited: false, outcome: null, workspaceId };
  }
  let interrupted = false;
  const stopListening = onInterrupt(() => {
    interrupted = true;
    if (options.cancellable) {
      ctx.note('\nCancelling… (press Ctrl-C again to leave it running and exit)');
      void backend.call('cancelOperation', { id: workspaceId }).catch(() => undefined);
    } else {
      ctx.note(`\nThis ${options.operation} cannot be cancelled; it finishes on its own. Press Ctrl-C again to stop waiting.`);
    }
  });
  try {
    const outcome = await watch.until(workspaceId);
    const failure = failureOf(outcome, `${options.name} was cancelled.`);
    if (outcome.progress) view.finish(failure === null, failure ? `${options.name} failed` : options.done);
    if (failure) {
      if (interrupted && failure.code === 'CANCELLED') {
        throw new TidepoolError({ code: 'CANCELLED', message: `${options.name} was cancelled.` });
      }
      throw failure;
    }
    return { waited: true, outcome, workspaceId };
  } finally {
    stopListening();
  }
}
