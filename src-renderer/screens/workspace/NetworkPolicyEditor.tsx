import { useState, type FormEvent } from 'react';
import type { Workspace } from '../../../src-shared/workspace.js';
import { useApi } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { Field } from '../../components/Field.js';
import { formatNetwork } from '../../format/format.js';
import { useAction } from '../../hooks/use-action.js';
import { allowListProblem, splitCidrs } from '../create/create-form.js';

/** The workspace's network allow-list; an empty list means fully isolated. */
export function NetworkPolicyEditor({ workspace, editable }: { workspace: Workspace; editable: boolean }) {
  const api = useApi();
  const current = workspace.network.mode === 'allow-list' ? workspace.network.allow : [];
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(current.join('\n'));
  const entries = splitCidrs(text);
  const error = allowListProblem(entries);
  const save = useAction(async () => {
    await api.setNetworkPolicy({ id: workspace.id, allow: entries });
    setEditing(false);
  });

  if (!editing) {
    return (
      <span className="inline-value">
        {formatNetwork(workspace.network)}
        {editable ? (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setText(current.join('\n'));
              setEditing(true);
            }}
          >
            Edit
          </button>
        ) : null}
      </span>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!error) void save.run();
  };
  return (
    <form className="network-editor" onSubmit={onSubmit}>
      <Field label="Allowed networks" hint="CIDR notation, one per line. Leave empty for fully isolated." error={error}>
        {(props) => <textarea {...props} className="mono" rows={3} spellCheck={false} value={text} onChange={(event) => setText(event.target.value)} />}
      </Field>
      {save.error ? <ErrorDetails error={save.error} title="Could not change the network" /> : null}
      <div className="button-row">
        <button type="button" className="button button-small" onClick={() => setEditing(false)}>
          Cancel
        </button>
        <button type="submit" className="button button-small button-primary" disabled={Boolean(error) || save.pending}>
          {save.pending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
