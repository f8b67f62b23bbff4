import { useState } from 'react';
import type { OrphanInstance } from '../../src-shared/workspace.js';
import { useApi, useApp, useAppStore } from '../app/app-context.js';
import { useAction } from '../hooks/use-action.js';
import { loadOrphans } from '../state/host-actions.js';
import { ErrorDetails } from './ErrorDetails.js';
import { runtimeShortName } from './runtime-info.js';

/** Instances carrying Tidepool's marks that no workspace knows (e.g. after a reinstall): adopt or remove them. */
export function OrphanBanner() {
  const api = useApi();
  const { stores } = useApp();
  const orphans = useAppStore('host', (state) => state.orphans);
  const [hidden, setHidden] = useState(false);
  const adopt = useAction(async (orphan: OrphanInstance) => {
    const workspace = await api.adoptOrphan({ runtime: orphan.runtime, instanceName: orphan.instanceName });
    await loadOrphans(api, stores.host);
    stores.navigation.getState().navigate({ kind: 'workspace', workspaceId: workspace.id });
  });

  if (orphans.length === 0 || hidden) return null;
  const count = orphans.length === 1 ? 'an instance' : `${orphans.length} instances`;
  return (
    <section className="banner banner-info" aria-labelledby="orphans-heading">
      <div className="banner-head">
        <h2 id="orphans-heading">Tidepool found {count} it has no workspace for</h2>
        <button type="button" className="button button-small" onClick={() => setHidden(true)}>
          Not now
        </button>
      </div>
      <p className="muted">Probably left from an earlier install. Adopt to get it back as a workspace, or remove it to free its space.</p>
      <ul className="orphan-list">
        {orphans.map((orphan) => (
          <li key={`${orphan.runtime}/${orphan.instanceName}`} className="orphan-item">
            <span>
              <strong>{orphan.name ?? orphan.instanceName}</strong>{' '}
              <span className="muted">
                {orphan.instanceName} on {runtimeShortName(orphan.runtime)}, {orphan.running ? 'running' : 'stopped'}
              </span>
            </span>
            <span className="button-row">
              <button type="button" className="button button-small" disabled={adopt.pending} onClick={() => void adopt.run(orphan)}>
                Adopt
              </button>
              <button
                type="button"
                className="button button-small button-danger-quiet"
                onClick={() => stores.ui.getState().openDialog({ kind: 'remove-orphan', orphan })}
              >
                Remove…
              </button>
            </span>
          </li>
        ))}
      </ul>
      {adopt.error ? <ErrorDetails error={adopt.error} title="Could not adopt it" /> : null}
    </section>
  );
}
