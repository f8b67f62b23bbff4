import { useId, type ReactNode } from 'react';

export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/** A labelled form control with its hint and, when invalid, the exact message right under it. */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  children: (props: FieldControlProps) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
      })}
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A group of radio buttons or checkboxes under one caption. */
export function FieldSet({ legend, error, hint, children }: { legend: ReactNode; error?: string | undefined; hint?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <fieldset className={`fieldset${error ? ' field-invalid' : ''}`} aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="field-label">{legend}</legend>
      {hint ? <p className="field-hint">{hint}</p> : null}
      {children}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

/** One choice in a FieldSet, with a description and (when disabled) the reason why. */
export function Choice({
  type = 'radio',
  name,
  checked,
  disabled,
  onChange,
  label,
  description,
  disabledReason,
  badge,
}: {
  type?: 'radio' | 'checkbox';
  name: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
  label: ReactNode;
  description?: ReactNode;
  disabledReason?: string | null;
  badge?: ReactNode;
}) {
  const id = useId();
  return (
    <div className={`choice${disabled ? ' disabled' : ''}`}>
      <input
        id={id}
        type={type}
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        aria-describedby={description || disabledReason ? `${id}-description` : undefined}
      />
      <div className="choice-text">
        <label htmlFor={id} className="choice-label">
          {label} {badge}
        </label>
        {description || disabledReason ? (
          <p id={`${id}-description`} className="choice-description">
            {disabledReason ? <span className="choice-reason">{disabledReason}</span> : description}
          </p>
        ) : null}
      </div>
    </div>
  );
}
