import { useEffect, useRef } from 'react';
import type { RuntimeInfo } from '../../../src-shared/workspace.js';
import { useApi, useApp, useAppStore } from '../../app/app-context.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { Icon } from '../../components/Icon.js';
import { formatBytes, formatDateTime } from '../../format/format.js';
import { useAction } from '../../hooks/use-action.js';

/** Whether this runtime has the current workspace image, and building it with its output streamed in. */
export function ImageStatus({ runtime }: { runtime: RuntimeInfo }) {
  const api = useApi();
  const { stores } = useApp();
  const images = useAppStore('host', (state) => state.images[runtime.id]);
  const build = useAppStore('host', (state) => state.builds[runtime.id]);
  const output = useRef<HTMLPreElement>(null);
  const start = useAction(async () => {
    stores.host.getState().startBuild(runtime.id);
    await api.buildImage({ runtime: runtime.id });
  });

  const lineCount = build?.lines.length ?? 0;
  useEffect(() => {
    if (output.current) output.current.scrollTop = output.current.scrollHeight;
  }, [lineCount]);

  const current = images?.find((image) => image.current);
  const building = start.pending || (build !== undefined && !build.done);

  return (
    <div className="image-status">
      <h4>Workspace image</h4>
      {images === undefined ? (
        <p className="muted">Checking…</p>
      ) : current && !building ? (
        <p className="status-line ok">
          <Icon name="check" /> <code>{current.ref}</code> is ready
          {current.sizeBytes !== null ? ` (${formatBytes(current.sizeBytes)})` : ''}
          {current.createdAt ? `, built ${formatDateTime(current.createdAt)}` : ''}.
        </p>
      ) : (
        <>
          {!building ? (
            <p className="status-line attention">
              <Icon name="warning" /> Not built yet. Building takes a few minutes and downloads packages from the internet.
            </p>
          ) : null}
          <button type="button" className="button button-primary" disabled={building} onClick={() => void start.run()}>
            {building ? 'Building…' : 'Build image'}
          </button>
        </>
      )}
      {build && (building || build.failed) ? (
        <div className="build-output">
          <p className="muted" aria-live="polite">
            {build.done ? (build.failed ? 'The build failed.' : 'Image ready.') : `Building: ${build.phase}`}
          </p>
          <pre ref={output} className="mono" role="log" aria-label={`Image build output for ${runtime.displayName}`} tabIndex={0}>
            {build.lines.join('\n')}
          </pre>
        </div>
      ) : null}
      {start.error ? <ErrorDetails error={start.error} title="The image could not be built" /> : null}
    </div>
  );
}
