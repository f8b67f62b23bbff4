import type { HostStatus, RuntimeInfo } from '../../../src-shared/workspace.js';
import { CommandBlock } from '../../components/CommandBlock.js';
import { Icon } from '../../components/Icon.js';
import { SimulatedBadge } from '../../components/SimulatedBadge.js';
import { ImageStatus } from './ImageStatus.js';

const CHOSEN_BY: Record<HostStatus['selectedBy'], string> = {
  flag: 'chosen with --runtime when Tidepool started',
  setting: 'chosen in Settings',
  auto: 'chosen automatically',
  none: 'chosen automatically',
};

function summary(runtime: RuntimeInfo): { label: string; tone: 'ok' | 'attention' } {
  if (runtime.available && runtime.setup.every((step) => step.ok)) return { label: 'Ready', tone: 'ok' };
  if (runtime.available) return { label: 'Needs set-up', tone: 'attention' };
  return { label: 'Not available', tone: 'attention' };
}

/** One runtime: whether it works, each set-up step with the exact command that fixes it, and its image. */
export function RuntimeCard({
  runtime,
  status,
  onChoose,
  choosing,
}: {
  runtime: RuntimeInfo;
  status: HostStatus;
  /** Makes this runtime the one new workspaces use. */
  onChoose: () => void;
  choosing: boolean;
}) {
  const state = summary(runtime);
  const selected = status.selected === runtime.id;
  const headingId = `runtime-${runtime.id}`;
  return (
    <section className="panel runtime-card" aria-labelledby={headingId}>
      <header className="runtime-card-header">
        <h3 id={headingId}>
          {runtime.displayName}
          {runtime.version && !runtime.simulated ? <span className="muted"> {runtime.version}</span> : null}
        </h3>
        {runtime.simulated ? <SimulatedBadge /> : null}
        <span className={`status-pill ${state.tone}`}>{state.label}</span>
      </header>
      {selected ? (
        <p className="muted">
          New workspaces use this runtime ({CHOSEN_BY[status.selectedBy]}).
        </p>
      ) : null}
      {state.tone === 'ok' && !selected && !runtime.simulated ? (
        <button type="button" className="button button-small align-start" disabled={choosing} onClick={onChoose}>
          Use {runtime.displayName} for new workspaces
        </button>
      ) : null}
      {runtime.setup.length > 0 ? (
        <ol className="setup-steps">
          {runtime.setup.map((step) => (
            <li key={step.id} className={`setup-step ${step.ok ? 'ok' : 'attention'}`}>
              <span className="setup-step-icon" aria-hidden="true">
                <Icon name={step.ok ? 'check' : 'warning'} />
              </span>
              <div className="setup-step-body">
                <p className="setup-step-title">
                  {step.title}
                  <span className="visually-hidden">{step.ok ? ' — done' : ' — needs attention'}</span>
                </p>
                {step.detail ? <p className="setup-step-detail">{step.detail}</p> : null}
                {step.command && !step.ok ? <CommandBlock command={step.command} what={`command for ${step.title}`} /> : null}
              </div>
            </li>
          ))}
        </ol>
      ) : null}
      {runtime.warnings.map((warning) => (
        <p key={warning} className="notice notice-warning">
          {warning}
        </p>
      ))}
      {runtime.available && !runtime.simulated ? <ImageStatus runtime={runtime} /> : null}
    </section>
  );
}
