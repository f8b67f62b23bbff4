import type { Workspace } from '../../../src-shared/workspace.js';
import { useApi, useApp, useAppStore } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { Icon } from '../../components/Icon.js';
import { OperationProgress } from '../../components/OperationProgress.js';
import { findRuntime, kindName, runtimeName } from '../../components/runtime-info.js';
import { SimulatedBadge } from '../../components/SimulatedBadge.js';
import { StateBadge } from '../../components/StateBadge.js';
import { formatBytes, formatDateTime, formatResources } from '../../format/format.js';
import { useAction } from '../../hooks/use-action.js';
import { useWorkspaceStats } from '../../hooks/use-workspace-stats.js';
import { runningOperation } from '../../state/workspaces-store.js';
import { NetworkPolicyEditor } from './NetworkPolicyEditor.js';
import { SshAccess } from './SshAccess.js';
import { allowedActions } from './workspace-actions.js';

/** One workspace: what it is, what it is doing, what went wrong, and everything you can do with it. */
export function WorkspaceScreen({ workspace }: { workspace: Workspace }) {
  const api = useApi();
  const { stores } = useApp();
  const status = useAppStore('host', (state) => state.status);
  const serverUrl = useAppStore('settings', (state) => state.settings?.incus.remotes.find((remote) => remote.name === workspace.location)?.url);
  const operation = useAppStore('workspaces', (state) => runningOperation(state, workspace.id));
  const runtime = findRuntime(status, workspace.runtime);
  const stats = useWorkspaceStats(workspace, runtime?.capabilities?.stats ?? false);
  const allowed = allowedActions(workspace, operation !== null);
  const navigation = stores.navigation.getState();
  const id = workspace.id;

  const start = useAction(() => api.startWorkspace({ id }));
  const stop = useAction(() => api.stopWorkspace({ id }));
  const actionError = start.error ?? stop.error;
  const clearErrors = () => {
    start.clearError();
    stop.clearError();
  };

  const openLabel = workspace.state === 'stopped' || workspace.state === 'error' ? 'Start and open IDE' : 'Open IDE';
  return (
    <div className="screen workspace-screen">
      <header className="screen-header">
        <div className="screen-title">
          <h2>{workspace.name}</h2>
          <StateBadge state={workspace.state} />
          {workspace.runtime === 'simulated' ? <SimulatedBadge /> : null}
        </div>
        <div className="toolbar" role="toolbar" aria-label={`Actions for ${workspace.name}`}>
          <button type="button" className="button button-primary" disabled={!allowed.open} onClick={() => navigation.openIde(id)}>
            <Icon name="code" /> {openLabel}
          </button>
          <button type="button" className="button" disabled={!allowed.terminal} onClick={() => navigation.openTerminal(id)}>
            <Icon name="terminal" /> Terminal
          </button>
          <button type="button" className="button" onClick={() => navigation.openLogs(id)}>
            <Icon name="logs" /> Logs
          </button>
          <span className="toolbar-gap" />
          <button
            type="button"
            className="button"
            disabled={!allowed.start || start.pending}
            onClick={() => {
              clearErrors();
              void start.run();
            }}
          >
            <Icon name="play" /> Start
          </button>
          <button
            type="button"
            className="button"
            disabled={!allowed.stop || stop.pending}
            onClick={() => {
              clearErrors();
              void stop.run();
            }}
          >
            <Icon name="stop" /> Stop
          </button>
          <button
            type="button"
            className="button button-danger-quiet"
            disabled={!allowed.delete}
            onClick={() => stores.ui.getState().openDialog({ kind: 'delete', workspaceId: id })}
          >
            <Icon name="trash" /> Delete…
          </button>
        </div>
      </header>

      {operation ? (
        <section className="panel">
          <OperationProgress workspaceId={id} name={workspace.name} operation={operation} />
        </section>
      ) : null}

      {actionError ? (
        <ErrorDetails error={actionError}>
          <button type="button" className="button button-small" onClick={clearErrors}>
            Dismiss
          </button>
        </ErrorDetails>
      ) : null}

      {workspace.state === 'error' && workspace.lastError ? (
        <ErrorDetails
          error={workspace.lastError}
          title={workspace.lastError.step ? undefined : `“${workspace.name}” needs attention`}
        >
          <button type="button" className="button button-small" disabled={!allowed.start} onClick={() => void start.run()}>
            Start again
          </button>
          <button type="button" className="button button-small" onClick={() => navigation.openLogs(id)}>
            Show logs
          </button>
        </ErrorDetails>
      ) : null}

      <section className="panel" aria-labelledby="details-heading">
        <h3 id="details-heading">Details</h3>
        <dl className="details">
          <dt>Runtime</dt>
          <dd>
            {runtimeName(status, workspace.runtime)} · {kindName(workspace.kind)}
          </dd>
          {workspace.location ? (
            <>
              <dt>Server</dt>
              <dd>
                {workspace.location}
                {serverUrl ? (
                  <>
                    {' '}
                    <span className="muted">{serverUrl}</span>
                  </>
                ) : null}
              </dd>
            </>
          ) : null}
          <dt>Image</dt>
          <dd>
            <code>{workspace.image}</code>
          </dd>
          <dt>Resources</dt>
          <dd>{formatResources(workspace.resources)}</dd>
          {stats ? (
            <>
              <dt>Usage now</dt>
              <dd>
                {[
                  stats.cpuPercent !== null ? `CPU ${Math.round(stats.cpuPercent)}%` : null,
                  stats.memoryBytes !== null ? `${formatBytes(stats.memoryBytes)} memory` : null,
                  stats.diskBytes !== null ? `${formatBytes(stats.diskBytes)} disk` : null,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </dd>
            </>
          ) : null}
          <dt>Network</dt>
          <dd>
            <NetworkPolicyEditor
              key={workspace.id}
              workspace={workspace}
              editable={(runtime?.capabilities?.networkAllowList ?? false) && !operation}
            />
          </dd>
          <dt>Repository</dt>
          <dd>{workspace.repoUrl ? <code>{workspace.repoUrl}</code> : 'None'}</dd>
          <dt>SSH agent</dt>
          <dd>{workspace.sshAgentForwarding ? 'Forwarded from this computer' : 'Not forwarded'}</dd>
          {workspace.address ? (
            <>
              <dt>Address</dt>
              <dd>
                <code>{workspace.address}</code>
              </dd>
            </>
          ) : null}
          <dt>Created</dt>
          <dd>{formatDateTime(workspace.createdAt)}</dd>
          <dt>Last opened</dt>
          <dd>{workspace.lastOpenedAt ? formatDateTime(workspace.lastOpenedAt) : 'Never'}</dd>
        </dl>
      </section>

      {workspace.state === 'ready' && workspace.runtime !== 'simulated' ? <SshAccess workspaceId={id} /> : null}
    </div>
  );
}
