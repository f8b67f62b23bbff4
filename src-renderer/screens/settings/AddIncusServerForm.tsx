import { useEffect, useRef, useState, type FormEvent } from 'react';
import { toTidepoolError, type TidepoolError } from '../../../src-shared/errors.js';
import { incusRemoteNameSchema } from '../../../src-shared/schemas.js';
import type { Settings } from '../../../src-shared/workspace.js';
import { useApi } from '../../app/app-context.js';
import { CommandBlock } from '../../components/CommandBlock.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { Choice, Field } from '../../components/Field.js';
import { useAction } from '../../hooks/use-action.js';

/** What the server's admin runs to let Tidepool in; it prints the token pasted here. */
export const TRUST_COMMAND = 'incus config trust add tidepool';

type AddField = 'name' | 'token' | 'url';
type FieldErrors = Partial<Record<AddField, string>>;

interface Values {
  name: string;
  token: string;
  url: string;
  use: boolean;
}

function validate(values: Values, takenNames: ReadonlySet<string>): FieldErrors {
  const errors: FieldErrors = {};
  const name = incusRemoteNameSchema.safeParse(values.name);
  if (!name.success) errors.name = name.error.issues[0]?.message ?? 'Invalid name.';
  else if (takenNames.has(values.name)) errors.name = `“${values.name}” is already added.`;
  if (!values.token.trim()) errors.token = 'Paste the trust token.';
  return errors;
}

function serverFieldErrors(error: TidepoolError): FieldErrors {
  const out: FieldErrors = {};
  for (const field of ['name', 'token', 'url'] as const) {
    const message = error.fields?.[field];
    if (message) out[field] = message;
  }
  return out;
}

/** A refusal that says nothing beyond its field messages (the contract's own validation) is shown on the fields only. */
function onlyFieldErrors(error: TidepoolError): boolean {
  return error.code === 'INVALID_INPUT' && !error.hint && !error.detail && Object.keys(serverFieldErrors(error)).length > 0;
}

/**
 * Adding a server: its admin makes a trust token there, the user pastes it here. Tidepool then contacts the
 * server (seconds), so the form shows that it is waiting, and keeps everything typed when it fails.
 */
export function AddIncusServerForm({
  settings,
  onAdded,
  onCancel,
}: {
  settings: Settings;
  onAdded: (settings: Settings, name: string) => void;
  onCancel: () => void;
}) {
  const api = useApi();
  const [values, setValues] = useState<Values>({ name: '', token: '', url: '', use: true });
  const [touched, setTouched] = useState<Partial<Record<AddField, boolean>>>({});
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [advanced, setAdvanced] = useState(false);
  const nameInput = useRef<HTMLInputElement>(null);
  useEffect(() => nameInput.current?.focus(), []);

  const errors = validate(values, new Set(settings.incus.remotes.map((remote) => remote.name)));
  const valid = Object.keys(errors).length === 0;
  const shown = (field: AddField): string | undefined => serverErrors[field] ?? (touched[field] ? errors[field] : undefined);

  const add = useAction(async () => {
    const url = values.url.trim();
    try {
      onAdded(await api.addIncusRemote({ name: values.name, token: values.token.trim(), ...(url ? { url } : {}), use: values.use }), values.name);
    } catch (caught) {
      const error = toTidepoolError(caught);
      const fields = serverFieldErrors(error);
      setServerErrors(fields);
      // The address lives under Advanced: open it so its message is seen.
      if (fields.url) setAdvanced(true);
      if (onlyFieldErrors(error)) return;
      throw error;
    }
  });

  const update = <K extends keyof Values>(key: K, value: Values[K]) => {
    setValues((previous) => ({ ...previous, [key]: value }));
    if (key === 'use') return;
    setTouched((previous) => ({ ...previous, [key]: true }));
    setServerErrors((previous) => {
      const next = { ...previous };
      delete next[key as AddField];
      return next;
    });
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setTouched({ name: true, token: true, url: true });
    if (valid && !add.pending) void add.run();
  };

  return (
    <form className="add-server-form" onSubmit={onSubmit} noValidate aria-labelledby="add-server-heading">
      <h4 id="add-server-heading">Add an Incus server</h4>
      <div className="field">
        <p className="field-label">On the server, run:</p>
        <CommandBlock command={TRUST_COMMAND} />
        <p className="field-hint">It prints a trust token. The token says where the server is and which certificate it has, so Tidepool trusts that server only.</p>
      </div>

      <Field label="Name" hint="What Tidepool calls the server, like team-server." error={shown('name')}>
        {(props) => (
          <input
            {...props}
            ref={nameInput}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={values.name}
            onChange={(event) => update('name', event.target.value)}
          />
        )}
      </Field>

      <Field label="Trust token" error={shown('token')}>
        {(props) => (
          <textarea
            {...props}
            rows={3}
            className="mono"
            spellCheck={false}
            autoComplete="off"
            value={values.token}
            onChange={(event) => update('token', event.target.value)}
          />
        )}
      </Field>

      <details className="disclosure" open={advanced} onToggle={(event) => setAdvanced(event.currentTarget.open)}>
        <summary>Advanced</summary>
        <Field
          label="Server address (optional)"
          hint="Only when the addresses in the token cannot be reached from here, for example behind NAT. Like https://incus.example.com:8443."
          error={shown('url')}
        >
          {(props) => (
            <input
              {...props}
              type="text"
              inputMode="url"
              autoComplete="off"
              spellCheck={false}
              placeholder="https://host:8443"
              value={values.url}
              onChange={(event) => update('url', event.target.value)}
            />
          )}
        </Field>
      </details>

      <Choice
        type="checkbox"
        name="use-server"
        checked={values.use}
        onChange={(checked) => update('use', checked)}
        label="Create new workspaces there"
        description="Workspaces you already have stay where they are."
      />

      {add.error ? <ErrorDetails error={add.error} title="The server was not added" /> : null}

      <div className="button-row">
        <button type="button" className="button" onClick={onCancel} disabled={add.pending}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={!valid || add.pending}>
          {add.pending ? 'Adding…' : 'Add server'}
        </button>
        <span className="status-line muted" role="status">
          {add.pending ? (
            <>
              <span className="spinner" aria-hidden="true" /> Contacting the server; this can take a few seconds…
            </>
          ) : null}
        </span>
      </div>
    </form>
  );
}
