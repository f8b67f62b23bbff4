import { useEffect, useRef, useState } from 'react';
import { toTidepoolError, type TidepoolError } from '../../../src-shared/errors.js';
import { useApi, useApp, useAppStore } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { OperationProgress } from '../../components/OperationProgress.js';
import type { Tab } from '../../state/navigation-store.js';
import { runningOperation } from '../../state/workspaces-store.js';
import { NativeIdeView } from './NativeIdeView.js';

type Opening = { status: 'opening' } | { status: 'open'; url: string } | { status: 'failed'; error: TidepoolError };
type Outcome = { attempt: number } & ({ status: 'open'; url: string } | { status: 'failed'; error: TidepoolError });

/**
 * The workspace's IDE. Opening starts the workspace if needed (its progress shows meanwhile); a failure shows
 * the runtime's message and a Retry. In the desktop app the IDE is a native view; in a browser, an iframe of
 * the IDE's own origin.
 */
export function IdeTab({ tab, active }: { tab: Tab; active: boolean }) {
  const api = useApi();
  const { host } = useApp();
  const id = tab.workspaceId;
  const workspace = useAppStore('workspaces', (state) => state.byId[id]);
  const operation = useAppStore('workspaces', (state) => runningOperation(state, id));
  const [attempt, setAttempt] = useState(0);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  // Until the latest attempt answers, the IDE is opening.
  const opening: Opening = outcome && outcome.attempt === attempt ? outcome : { status: 'opening' };

  useEffect(() => {
    let cancelled = false;
    api.openWorkspace({ id }).then(
      ({ ideUrl }) => {
        if (!cancelled) setOutcome({ attempt, status: 'open', url: ideUrl });
      },
      (error: unknown) => {
        if (!cancelled) setOutcome({ attempt, status: 'failed', error: toTidepoolError(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, id, attempt]);

  // Started again from elsewhere after it stopped: the IDE's tunnel may be new, so ask for it again.
  const ready = workspace?.state === 'ready';
  const wasReady = useRef(ready);
  useEffect(() => {
    if (ready && !wasReady.current && opening.status === 'open') setAttempt((n) => n + 1);
    wasReady.current = ready;
  }, [ready, opening.status]);

  if (!workspace) return null;
  const retry = () => setAttempt((n) => n + 1);
  const progress = operation ? (
    <div className="tab-center">
      <OperationProgress workspaceId={id} name={workspace.name} operation={operation} />
    </div>
  ) : null;

  if (opening.status === 'opening') {
    return progress ?? <div className="tab-center muted">Opening the IDE for “{workspace.name}”…</div>;
  }

  if (opening.status === 'failed' || workspace.state === 'error') {
    const error = workspace.state === 'error' && workspace.lastError ? workspace.lastError : opening.status === 'failed' ? opening.error : null;
    return (
      progress ?? (
        <div className="tab-center">
          <ErrorDetails error={error ?? { message: `“${workspace.name}” is not running.` }} title={`Could not open “${workspace.name}”`}>
            <button type="button" className="button button-primary" onClick={retry}>
              Retry
            </button>
          </ErrorDetails>
        </div>
      )
    );
  }

  if (!ready) {
    return (
      progress ?? (
        <div className="tab-center">
          <p>“{workspace.name}” is stopped.</p>
          <button type="button" className="button button-primary" onClick={retry}>
            Start and open
          </button>
        </div>
      )
    );
  }

  if (host === 'electron') return <NativeIdeView workspaceId={id} name={workspace.name} visible={active} />;
  return (
    <iframe
      className="ide-frame"
      src={opening.url}
      title={`IDE for ${workspace.name}`}
      allow="clipboard-read; clipboard-write"
      referrerPolicy="no-referrer"
    />
  );
}
