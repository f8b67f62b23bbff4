/**
 * Turns the core's `progress` events into step durations: a step lasts from the event that entered it to
 * the event that entered the next one (or finished the operation).
 */
import type { EventBus } from '../src-main/api/event-bus.js';
import type { OperationStep } from '../src-shared/workspace.js';

interface Mark {
  step: OperationStep;
  at: number;
}

export interface StepTimes {
  /** From the call until the first progress event (validation, runtime checks). */
  requestMs: number;
  steps: Partial<Record<OperationStep, number>>;
  /** From the call until the operation finished. */
  totalMs: number;
  failed: boolean;
}

export class StepTimer {
  private readonly marks = new Map<string, Mark[]>();
  private readonly finished = new Map<string, { at: number; failed: boolean }>();
  private readonly stop: () => void;

  constructor(events: EventBus) {
    this.stop = events.on('progress', (progress) => {
      const at = performance.now();
      if (progress.done) {
        this.finished.set(progress.workspaceId, { at, failed: progress.failed });
        return;
      }
      const marks = this.marks.get(progress.workspaceId) ?? [];
      if (marks.at(-1)?.step !== progress.step) marks.push({ step: progress.step, at });
      this.marks.set(progress.workspaceId, marks);
    });
  }

  /** Forget what was recorded for a workspace (before timing its next operation). */
  reset(workspaceId: string): void {
    this.marks.delete(workspaceId);
    this.finished.delete(workspaceId);
  }

  /** The durations of the workspace's last operation, timed from `calledAt`. */
  times(workspaceId: string, calledAt: number): StepTimes {
    const marks = this.marks.get(workspaceId) ?? [];
    const end = this.finished.get(workspaceId);
    if (!end) throw new Error(`the operation on ${workspaceId} has not finished`);
    const steps: Partial<Record<OperationStep, number>> = {};
    marks.forEach((mark, index) => {
      const next = marks[index + 1]?.at ?? end.at;
      steps[mark.step] = (steps[mark.step] ?? 0) + (next - mark.at);
    });
    return { requestMs: (marks[0]?.at ?? end.at) - calledAt, steps, totalMs: end.at - calledAt, failed: end.failed };
  }

  dispose(): void {
    this.stop();
  }
}
