import { useId, type ReactNode } from 'react';
import type { TidepoolErrorData } from '../../src-shared/errors.js';
import { STEP_LABELS, type OperationStep } from '../../src-shared/workspace.js';
import { CopyButton } from './CopyButton.js';
import { Icon } from './Icon.js';

export interface ErrorLike {
  message: string;
  hint?: string | undefined;
  detail?: string | undefined;
  code?: TidepoolErrorData['code'] | string;
  step?: OperationStep | undefined;
}

/**
 * A failure as the user needs it: what happened, what to do, and the runtime's own words verbatim in a
 * monospace block with a Copy button (for a bug report or a search).
 */
export function ErrorDetails({
  error,
  title,
  children,
}: {
  error: ErrorLike;
  title?: string;
  children?: ReactNode;
}) {
  const detailId = useId();
  const heading = title ?? (error.step ? `Failed while ${STEP_LABELS[error.step].toLowerCase()}` : 'Something went wrong');
  return (
    <div className="error-details" role="alert">
      <div className="error-details-head">
        <Icon name="warning" />
        <strong>{heading}</strong>
      </div>
      <p className="error-message">{error.message}</p>
      {error.hint ? <p className="error-hint">{error.hint}</p> : null}
      {error.detail ? (
        <div className="error-detail">
          <div className="error-detail-bar">
            <span id={detailId}>Technical details</span>
            <CopyButton text={error.detail} what="error details" />
          </div>
          <pre className="mono" aria-labelledby={detailId} tabIndex={0}>
            {error.detail}
          </pre>
        </div>
      ) : null}
      {children ? <div className="error-actions">{children}</div> : null}
    </div>
  );
}
