/**
 * Desktop app: the IDE is a native view that main draws over this placeholder. We measure the placeholder
 * and report its bounds whenever they change; when the tab is hidden or a dialog opens, the view is hidden
 * (it would otherwise paint over everything). The text underneath shows while the IDE loads.
 */
import { useEffect, useRef, useState } from 'react';
import { toTidepoolError, type TidepoolError } from '../../../src-shared/errors.js';
import { useApi, useAppStore } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';

const MAX = 100_000;
const clamp = (value: number) => Math.min(MAX, Math.max(0, Math.round(value)));

export function NativeIdeView({ workspaceId, name, visible }: { workspaceId: string; name: string; visible: boolean }) {
  const api = useApi();
  const placeholder = useRef<HTMLDivElement>(null);
  const overlays = useAppStore('ui', (state) => state.overlays);
  const [error, setError] = useState<TidepoolError | null>(null);
  const show = visible && overlays === 0;

  useEffect(() => {
    const element = placeholder.current;
    if (!show || !element) return;
    let last = '';
    const report = () => {
      const rect = element.getBoundingClientRect();
      const bounds = { x: clamp(rect.left), y: clamp(rect.top), width: clamp(rect.width), height: clamp(rect.height) };
      const key = `${bounds.x},${bounds.y},${bounds.width},${bounds.height}`;
      if (key === last) return;
      last = key;
      api.showIdeView({ id: workspaceId, bounds }).then(
        () => setError(null),
        (caught: unknown) => setError(toTidepoolError(caught)),
      );
    };
    report();
    const observer = new ResizeObserver(report);
    observer.observe(element);
    // Moves without a size change (the sidebar or tab strip changing) do not trigger the observer.
    window.addEventListener('resize', report);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', report);
      void api.hideIdeViews({}).catch(() => undefined);
    };
  }, [api, show, workspaceId]);

  useEffect(() => () => void api.closeIdeView({ id: workspaceId }).catch(() => undefined), [api, workspaceId]);

  return (
    <div ref={placeholder} className="ide-placeholder" data-testid="ide-placeholder">
      {error ? <ErrorDetails error={error} title="Could not show the IDE" /> : <p className="muted">Loading the IDE for “{name}”…</p>}
    </div>
  );
}
