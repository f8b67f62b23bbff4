import { useApp } from '../app/app-context.js';
import { Icon } from '../components/Icon.js';

/** A new user's first screen once the computer is ready. */
export function EmptyState() {
  const { stores } = useApp();
  return (
    <div className="screen empty-state">
      <h2>Welcome to Tidepool</h2>
      <p className="lead">
        Tidepool gives each of your projects its own isolated workspace, with VS Code in the browser, running on this computer.
      </p>
      <button type="button" className="button button-primary button-large" onClick={() => stores.ui.getState().openDialog({ kind: 'create' })}>
        <Icon name="plus" /> Create your first workspace
      </button>
    </div>
  );
}
