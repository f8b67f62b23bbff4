import { useApp, useAppStore } from '../app/app-context.js';
import { Icon } from '../components/Icon.js';
import { runtimeName } from '../components/runtime-info.js';
import { SimulatedBadge } from '../components/SimulatedBadge.js';
import { StateBadge } from '../components/StateBadge.js';
import { formatDateTime } from '../format/format.js';

/** All workspaces at a glance, most recently opened first, each one click from its IDE. */
export function OverviewScreen() {
  const { stores } = useApp();
  const workspaces = useAppStore('workspaces', (state) => state.list);
  const status = useAppStore('host', (state) => state.status);
  const navigation = stores.navigation.getState();
  const recent = [...workspaces].sort((a, b) => (b.lastOpenedAt ?? b.createdAt).localeCompare(a.lastOpenedAt ?? a.createdAt));

  return (
    <div className="screen overview-screen">
      <header className="screen-header">
        <div className="screen-title">
          <h2>Workspaces</h2>
        </div>
        <button type="button" className="button button-primary" onClick={() => stores.ui.getState().openDialog({ kind: 'create' })}>
          <Icon name="plus" /> New workspace
        </button>
      </header>
      <ul className="overview-list">
        {recent.map((workspace) => (
          <li key={workspace.id} className="panel overview-item">
            <div className="overview-item-main">
              <button type="button" className="link-button overview-name" onClick={() => navigation.navigate({ kind: 'workspace', workspaceId: workspace.id })}>
                {workspace.name}
              </button>
              <StateBadge state={workspace.state} />
              {workspace.runtime === 'simulated' ? <SimulatedBadge /> : null}
            </div>
            <p className="muted">
              {runtimeName(status, workspace.runtime)}
              {workspace.location ? ` on ${workspace.location}` : ''} · {workspace.lastOpenedAt ? `opened ${formatDateTime(workspace.lastOpenedAt)}` : 'never opened'}
            </p>
            <button
              type="button"
              className="button button-small"
              disabled={workspace.state === 'deleting' || workspace.state === 'stopping'}
              onClick={() => navigation.openIde(workspace.id)}
              aria-label={`Open IDE for ${workspace.name}`}
            >
              <Icon name="code" size={14} /> Open IDE
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
