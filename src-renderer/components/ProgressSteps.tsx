import { STEP_LABELS, type OperationKind } from '../../src-shared/workspace.js';
import { formatDuration } from '../format/format.js';
import { useNow } from '../hooks/use-now.js';
import type { OperationView } from '../state/workspaces-store.js';
import { Icon } from './Icon.js';

const TITLES: Record<OperationKind, string> = {
  create: 'Creating',
  start: 'Starting',
  stop: 'Stopping',
  delete: 'Deleting',
  open: 'Opening',
  rebuild: 'Rebuilding',
};

export function operationTitle(kind: OperationKind, name: string): string {
  return `${TITLES[kind]} “${name}”`;
}

type StepStatus = 'done' | 'current' | 'pending' | 'failed';

/** Each named step of an operation with how long it took (or has taken so far), and the total. */
export function ProgressSteps({ view, name, showTitle = true }: { view: OperationView; name: string; showTitle?: boolean }) {
  const { progress, timings, endedAt } = view;
  const running = !progress.done;
  const now = useNow(1000, running);
  const end = endedAt ? Date.parse(endedAt) : now;
  const currentIndex = progress.steps.indexOf(progress.step);
  const total = end - Date.parse(progress.startedAt);

  const statusOf = (index: number): StepStatus => {
    if (index < currentIndex) return 'done';
    if (index > currentIndex) return 'pending';
    if (progress.failed) return 'failed';
    return progress.done ? 'done' : 'current';
  };

  const currentLabel = STEP_LABELS[progress.step];
  return (
    <section className="progress" aria-label={operationTitle(progress.operation, name)}>
      <div className="progress-head">
        {showTitle ? <h3>{operationTitle(progress.operation, name)}</h3> : <span className="muted">Total</span>}
        <span className="progress-total" aria-label={`Total time ${formatDuration(total)}`}>
          {formatDuration(total)}
        </span>
      </div>
      <ol className="progress-steps">
        {progress.steps.map((step, index) => {
          const status = statusOf(index);
          const timing = timings[step];
          const elapsed =
            timing && status !== 'pending'
              ? formatDuration((timing.endedAt ? Date.parse(timing.endedAt) : end) - Date.parse(timing.startedAt))
              : null;
          return (
            <li key={step} className={`progress-step step-${status}`} aria-current={status === 'current' ? 'step' : undefined}>
              <span className="step-icon" aria-hidden="true">
                {status === 'done' ? <Icon name="check" size={14} /> : null}
                {status === 'failed' ? <Icon name="close" size={14} /> : null}
                {status === 'current' ? <span className="spinner" /> : null}
              </span>
              <span className="step-label">
                {STEP_LABELS[step]}
                <span className="visually-hidden">
                  {status === 'done' ? ' (done)' : status === 'failed' ? ' (failed)' : status === 'current' ? ' (in progress)' : ''}
                </span>
              </span>
              {elapsed ? <span className="step-time">{elapsed}</span> : null}
            </li>
          );
        })}
      </ol>
      {running && progress.message ? <p className="progress-message">{progress.message}</p> : null}
      <p className="visually-hidden" aria-live="polite">
        {running ? `${currentLabel}, step ${currentIndex + 1} of ${progress.steps.length}` : ''}
      </p>
    </section>
  );
}
