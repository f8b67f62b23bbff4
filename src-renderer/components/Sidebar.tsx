import { useAppStore, useApp } from '../app/app-context.js';
import { Icon } from './Icon.js';
import { WorkspaceRow } from './WorkspaceRow.js';

/** The workspace list, with New, host set-up and Settings always one click away. */
export function Sidebar() {
  const { stores } = useApp();
  const workspaces = useAppStore('workspaces', (state) => state.list);
  const loaded = useAppStore('workspaces', (state) => state.loaded);
  const location = useAppStore('navigation', (state) => state.location);
  const tabs = useAppStore('navigation', (state) => state.tabs);
  const status = useAppStore('host', (state) => state.status);
  const navigate = stores.navigation.getState().navigate;

  const selectedWorkspace =
    location.kind === 'workspace'
      ? location.workspaceId
      : location.kind === 'tab'
        ? tabs.find((tab) => tab.id === location.tabId)?.workspaceId
        : undefined;

  const hostLabel = !status ? 'Checking this computer…' : status.ready ? 'Ready' : 'Set-up needed';

  return (
    <nav className="sidebar" aria-label="Workspaces">
      <div className="sidebar-header">
        <h1 className="app-title">Tidepool</h1>
        <button
          type="button"
          className="icon-button"
          aria-label="New workspace"
          title="New workspace"
          onClick={() => stores.ui.getState().openDialog({ kind: 'create' })}
        >
          <Icon name="plus" />
        </button>
      </div>
      <button
        type="button"
        className={`sidebar-link${location.kind === 'home' ? ' selected' : ''}`}
        aria-current={location.kind === 'home' ? 'page' : undefined}
        onClick={() => navigate({ kind: 'home' })}
      >
        <Icon name="home" /> Overview
      </button>
      <h2 className="sidebar-section" id="sidebar-workspaces">
        Workspaces
      </h2>
      {loaded && workspaces.length === 0 ? <p className="sidebar-empty">No workspaces yet.</p> : null}
      <ul className="workspace-list" aria-labelledby="sidebar-workspaces">
        {workspaces.map((workspace) => (
          <WorkspaceRow
            key={workspace.id}
            workspace={workspace}
            selected={workspace.id === selectedWorkspace}
            onSelect={() => navigate({ kind: 'workspace', workspaceId: workspace.id })}
          />
        ))}
      </ul>
      <div className="sidebar-footer">
        <button
          type="button"
          className={`sidebar-link${location.kind === 'setup' ? ' selected' : ''}`}
          aria-current={location.kind === 'setup' ? 'page' : undefined}
          onClick={() => navigate({ kind: 'setup' })}
        >
          <Icon name="wrench" /> Set-up
          <span className="sidebar-link-note">
            <span className={`host-dot ${status?.ready ? 'ok' : 'attention'}`} aria-hidden="true" />
            {hostLabel}
          </span>
        </button>
        <button
          type="button"
          className={`sidebar-link${location.kind === 'settings' ? ' selected' : ''}`}
          aria-current={location.kind === 'settings' ? 'page' : undefined}
          onClick={() => navigate({ kind: 'settings' })}
        >
          <Icon name="gear" /> Settings
        </button>
      </div>
    </nav>
  );
}
