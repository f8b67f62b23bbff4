import type { RuntimeId } from '../../../src-shared/workspace.js';
import { useApi, useApp, useAppStore } from '../../app/app-context.js';
import { CommandBlock } from '../../components/CommandBlock.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { Icon } from '../../components/Icon.js';
import { realFirst } from '../../components/runtime-info.js';
import { SimulatedBadge } from '../../components/SimulatedBadge.js';
import { useAction } from '../../hooks/use-action.js';
import { checkHost, loadOrphans } from '../../state/host-actions.js';
import { RuntimeCard } from './RuntimeCard.js';
import { missingRuntimeHelp } from './suggested-command.js';

const RUNTIME_NAMES = { tart: 'Tart', incus: 'Incus', simulated: 'Simulated' };

/**
 * What this computer needs before Tidepool can make workspaces, step by step with exact commands, and
 * “Check again” once the user has run them. Also the place to come back to later (sidebar: Set-up).
 */
export function SetupScreen({ onboarding }: { onboarding: boolean }) {
  const api = useApi();
  const { stores } = useApp();
  const status = useAppStore('host', (state) => state.status);
  const recheck = useAction(async () => {
    await checkHost(api, stores.host, true);
    await loadOrphans(api, stores.host).catch(() => undefined);
  });
  const choose = useAction(async (runtime: RuntimeId) => {
    stores.settings.getState().setSettings(await api.updateSettings({ runtime }));
    await checkHost(api, stores.host, true);
  });

  if (!status) return <div className="screen muted">Checking this computer…</div>;

  // Tart is offered everywhere for an explicit choice, but off macOS a card saying it is missing only confuses.
  const runtimes = realFirst(status.runtimes).filter(
    (runtime) => runtime.id !== 'tart' || status.platform === 'darwin' || runtime.available || status.selected === 'tart',
  );
  const simulated = status.runtimes.find((runtime) => runtime.simulated && runtime.available);
  const missing = missingRuntimeHelp(status);

  return (
    <div className="screen setup-screen">
      <header className="screen-header">
        <div className="screen-title">
          <h2>{onboarding ? 'Set up Tidepool' : 'Set-up'}</h2>
        </div>
        <button type="button" className="button" disabled={recheck.pending} onClick={() => void recheck.run()}>
          <Icon name="refresh" /> {recheck.pending ? 'Checking…' : 'Check again'}
        </button>
      </header>
      <p className="lead">
        Tidepool runs each workspace in its own {status.platform === 'darwin' ? 'virtual machine' : 'container or virtual machine'} on
        this computer. {status.ready ? 'Everything it needs is in place.' : 'A few things need to be in place first.'}
      </p>
      {recheck.error ? <ErrorDetails error={recheck.error} title="Could not check this computer" /> : null}
      {choose.error ? <ErrorDetails error={choose.error} title="Could not change the runtime" /> : null}

      {missing.map((help) => (
        <section key={help.id} className="panel runtime-card" aria-labelledby={`install-${help.id}`}>
          <header className="runtime-card-header">
            <h3 id={`install-${help.id}`}>{help.listed?.displayName ?? RUNTIME_NAMES[help.id]}</h3>
            <span className="status-pill attention">{help.listed ? 'Not available' : 'Not installed'}</span>
          </header>
          <p>{help.why}</p>
          <CommandBlock command={help.command} what={`${RUNTIME_NAMES[help.id]} set-up command`} />
          <p className="muted">Then choose “Check again”.</p>
        </section>
      ))}

      {runtimes
        .filter((runtime) => !missing.some((help) => help.id === runtime.id))
        .map((runtime) => (
          <RuntimeCard
            key={runtime.id}
            runtime={runtime}
            status={status}
            onChoose={() => void choose.run(runtime.id)}
            choosing={choose.pending}
          />
        ))}

      {!status.ready && simulated && status.selected !== 'simulated' ? (
        <section className="panel" aria-labelledby="try-simulated">
          <h3 id="try-simulated">
            Just trying Tidepool out? <SimulatedBadge />
          </h3>
          <p>
            The simulated runtime lets you click through Tidepool without a real runtime. Its workspaces have no VM, no IDE and
            no isolation.
          </p>
          <button type="button" className="button align-start" disabled={choose.pending} onClick={() => void choose.run('simulated')}>
            Use the simulated runtime
          </button>
        </section>
      ) : null}
    </div>
  );
}
