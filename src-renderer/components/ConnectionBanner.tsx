import { useApi, useApp, useAppStore } from '../app/app-context.js';
import { useAction } from '../hooks/use-action.js';
import { loadSnapshot } from '../state/connect-stores.js';
import { ErrorDetails } from './ErrorDetails.js';

/** Says when the UI cannot reach Tidepool's core, and offers a retry if the first load failed. */
export function ConnectionBanner() {
  const api = useApi();
  const { stores } = useApp();
  const connection = useAppStore('status', (state) => state.connection);
  const loadError = useAppStore('status', (state) => state.loadError);
  const retry = useAction(() => loadSnapshot(api, stores));

  if (connection === 'signed-out') {
    return (
      <div className="banner banner-warning" role="status">
        Tidepool restarted and this page is no longer signed in. Open the link that <code>tidepool serve</code> printed; this
        page reconnects once you have.
      </div>
    );
  }
  if (connection === 'reconnecting') {
    return (
      <div className="banner banner-warning" role="status">
        Lost the connection to Tidepool. Reconnecting…
      </div>
    );
  }
  if (!loadError) return null;
  return (
    <div className="banner-error">
      <ErrorDetails error={loadError} title="Tidepool could not load your workspaces">
        <button type="button" className="button button-small" disabled={retry.pending} onClick={() => void retry.run()}>
          Try again
        </button>
      </ErrorDetails>
    </div>
  );
}
