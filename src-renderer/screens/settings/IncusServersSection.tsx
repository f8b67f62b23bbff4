import { useRef, useState } from 'react';
import type { HostStatus, IncusRemote, Settings } from '../../../src-shared/workspace.js';
import { useApi, useApp, useAppStore } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { Choice, FieldSet } from '../../components/Field.js';
import { useAction } from '../../hooks/use-action.js';
import { AddIncusServerForm } from './AddIncusServerForm.js';
import { RemoveIncusServerDialog } from './RemoveIncusServerDialog.js';

/**
 * Incus matters wherever it can run (Linux) and on a Mac too: teams run Incus on a Linux server and Macs
 * create workspaces there. Elsewhere only once Incus is offered or a server was added.
 */
export function incusServersRelevant(status: HostStatus | null, settings: Settings): boolean {
  if (settings.incus.remotes.length > 0) return true;
  if (!status) return false;
  return status.platform === 'linux' || status.platform === 'darwin' || status.runtimes.some((runtime) => runtime.id === 'incus');
}

/** Enough of the pinned certificate's fingerprint to tell servers apart; the whole one is in the tooltip. */
export function shortFingerprint(fingerprint: string): string {
  return fingerprint.length > 16 ? `${fingerprint.slice(0, 16)}…` : fingerprint;
}

function countWorkspaces(count: number): string | null {
  return count === 0 ? null : count === 1 ? '1 workspace lives here.' : `${count} workspaces live here.`;
}

/** The Incus servers Tidepool knows: this computer and the remotes added with a trust token; new workspaces go to the chosen one. */
export function IncusServersSection({ settings }: { settings: Settings }) {
  const api = useApi();
  const { stores } = useApp();
  const status = useAppStore('host', (state) => state.status);
  const workspaces = useAppStore('workspaces', (state) => state.list);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<IncusRemote | null>(null);
  const [notice, setNotice] = useState('');
  // Once the form closes, focus goes back to the button that opened it rather than to the page.
  const refocusAdd = useRef(false);
  const closeForm = () => {
    refocusAdd.current = true;
    setAdding(false);
  };
  const apply = (next: Settings) => stores.settings.getState().setSettings(next);
  const choose = useAction(async (name: string | null) => {
    setNotice('');
    apply(await api.useIncusRemote({ name }));
  });

  const { remotes, activeRemote, socketPath } = settings.incus;
  const living = (location: string | null) =>
    workspaces.filter((workspace) => workspace.runtime === 'incus' && (workspace.location ?? null) === location).length;
  const onMac = status?.platform === 'darwin';
  const localDescription = onMac
    ? 'A Mac has no Incus of its own; its workspaces run in Tart.'
    : `Incus on this computer, through ${socketPath ?? 'its usual socket'}.`;

  return (
    <section className="panel" aria-labelledby="settings-incus-servers">
      <div className="panel-head">
        <h3 id="settings-incus-servers">Incus servers</h3>
        <span className="muted" role="status">
          {notice}
        </span>
      </div>
      <p className="muted">
        New Incus workspaces are created on the server chosen here. A workspace stays on the server it was created on.
        {status && status.selected !== 'incus' ? ' Choose Incus as the runtime to create workspaces on a server.' : ''}
      </p>
      <FieldSet legend="Create new workspaces on">
        <ul className="server-list">
          <li className="server-item">
            <Choice
              name="incus-server"
              checked={activeRemote === null}
              onChange={() => void choose.run(null)}
              label="This computer"
              description={[localDescription, countWorkspaces(living(null))].filter(Boolean).join(' ')}
            />
          </li>
          {remotes.map((remote) => (
            <li key={remote.name} className="server-item">
              <Choice
                name="incus-server"
                checked={activeRemote === remote.name}
                  onChange={() => void choose.run(remote.name)}
                label={remote.name}
                description={
                  <>
                    <span className="mono">{remote.url}</span> · certificate{' '}
                    <span className="mono" title={`SHA-256 ${remote.serverFingerprint}`}>
                      {shortFingerprint(remote.serverFingerprint)}
                    </span>
                    {countWorkspaces(living(remote.name)) ? <> · {countWorkspaces(living(remote.name))}</> : null}
                  </>
                }
              />
              <button
                type="button"
                className="button button-small button-danger-quiet"
                aria-label={`Remove ${remote.name}…`}
                onClick={() => {
                  setNotice('');
                  setRemoving(remote);
                }}
              >
                Remove…
              </button>
            </li>
          ))}
        </ul>
      </FieldSet>
      {choose.error ? <ErrorDetails error={choose.error} title="The server was not changed" /> : null}

      {adding ? (
        <AddIncusServerForm
          settings={settings}
          onAdded={(next, name) => {
            apply(next);
            closeForm();
            setNotice(`Added “${name}”.`);
          }}
          onCancel={closeForm}
        />
      ) : (
        <button
          ref={(button) => {
            if (button && refocusAdd.current) {
              refocusAdd.current = false;
              button.focus();
            }
          }}
          type="button"
          className="button align-start"
          onClick={() => {
            setNotice('');
            setAdding(true);
          }}
        >
          Add server…
        </button>
      )}

      {removing ? (
        <RemoveIncusServerDialog
          remote={removing}
          onRemoved={(next) => {
            apply(next);
            setRemoving(null);
            setNotice(`Removed “${removing.name}”.`);
          }}
          onClose={() => setRemoving(null)}
        />
      ) : null}
    </section>
  );
}
