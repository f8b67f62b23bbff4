import type { Workspace } from '../../src-shared/workspace.js';
import { useAppStore } from '../app/app-context.js';
import { formatBytes, formatResources } from '../format/format.js';
import { useWorkspaceStats } from '../hooks/use-workspace-stats.js';
import { findRuntime, kindName, runtimeShortName } from './runtime-info.js';
import { useId } from 'react';
import { SIMULATED_LABEL, SimulatedBadge } from './SimulatedBadge.js';
import { StateBadge, stateLabel } from './StateBadge.js';

/** One workspace in the sidebar: its state, where it runs, what it has, and live usage while running. */
export function WorkspaceRow({ workspace, selected, onSelect }: { workspace: Workspace; selected: boolean; onSelect: () => void }) {
  const status = useAppStore('host', (state) => state.status);
  const runtime = findRuntime(status, workspace.runtime);
  const stats = useWorkspaceStats(workspace, runtime?.capabilities?.stats ?? false);
  const simulated = workspace.runtime === 'simulated';
  const detailsId = useId();
  // A short name for the button; the details are read as its description.
  const label = [workspace.name, stateLabel(workspace.state), simulated ? SIMULATED_LABEL : null].filter(Boolean).join(', ');

  return (
    <li className="workspace-row-item">
      <button
        type="button"
        className={`workspace-row${selected ? ' selected' : ''}`}
        aria-current={selected ? 'page' : undefined}
        onClick={onSelect}
        aria-label={label}
        aria-describedby={detailsId}
        data-workspace-id={workspace.id}
      >
        <span className="workspace-row-top">
          <span className="workspace-name">{workspace.name}</span>
          <StateBadge state={workspace.state} />
        </span>
        {simulated ? <SimulatedBadge /> : null}
        <span id={detailsId} className="workspace-details">
          <span className="workspace-meta">
            {runtimeShortName(workspace.runtime)}
            {workspace.location ? ` on ${workspace.location}` : ''} · {kindName(workspace.kind)} · {workspace.image}
          </span>
          <span className="workspace-meta">{formatResources(workspace.resources)}</span>
          {stats ? (
            <span className="workspace-stats">
              {stats.cpuPercent !== null ? <span>CPU {Math.round(stats.cpuPercent)}%</span> : null}
              {stats.memoryBytes !== null ? <span>Memory {formatBytes(stats.memoryBytes)}</span> : null}
            </span>
          ) : null}
        </span>
      </button>
    </li>
  );
}
