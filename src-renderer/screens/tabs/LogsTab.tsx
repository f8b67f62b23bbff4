import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { LogLine } from '../../../src-shared/workspace.js';
import { useApi, useApp, useAppStore } from '../../app/app-context.js';
import { formatTime } from '../../format/format.js';
import type { Tab } from '../../state/navigation-store.js';

const EMPTY: LogLine[] = [];
/** Within this many pixels of the bottom counts as “at the end”, so following resumes naturally. */
const FOLLOW_SLACK_PX = 24;

/** The workspace's log: recent history, then lines as they are pushed; it follows the end unless you scroll up. */
export function LogsTab({ tab, active }: { tab: Tab; active: boolean }) {
  const api = useApi();
  const { stores } = useApp();
  const id = tab.workspaceId;
  const log = useAppStore('logs', (state) => state.logs[id]);
  const name = useAppStore('workspaces', (state) => state.byId[id]?.name ?? 'workspace');
  const [filter, setFilter] = useState('');
  const [failed, setFailed] = useState<string | null>(null);
  const [following, setFollowing] = useState(true);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const logs = stores.logs.getState();
    if (!logs.beginLoad(id)) return;
    api.getWorkspaceLogs({ id, limit: 1000 }).then(
      (history) => {
        setFailed(null);
        stores.logs.getState().finishLoad(id, history);
      },
      (error: unknown) => {
        stores.logs.getState().failLoad(id);
        setFailed(error instanceof Error ? error.message : String(error));
      },
    );
  }, [api, stores, id]);

  const lines = log?.lines ?? EMPTY;
  const needle = filter.trim().toLowerCase();
  const shown = needle ? lines.filter((line) => line.text.toLowerCase().includes(needle)) : lines;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && following && active) element.scrollTop = element.scrollHeight;
  }, [shown.length, following, active]);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    setFollowing(element.scrollHeight - element.scrollTop - element.clientHeight <= FOLLOW_SLACK_PX);
  };

  return (
    <div className="logs-tab">
      <div className="logs-toolbar">
        <label className="visually-hidden" htmlFor={`logs-filter-${tab.id}`}>
          Filter log lines
        </label>
        <input
          id={`logs-filter-${tab.id}`}
          type="search"
          placeholder="Filter"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
        <span className="muted">{log?.status === 'loading' ? 'Loading…' : `${shown.length} lines`}</span>
        {!following ? (
          <button type="button" className="button button-small" onClick={() => setFollowing(true)}>
            Jump to latest
          </button>
        ) : null}
      </div>
      {failed ? (
        <p className="notice notice-warning" role="alert">
          Could not load the log: {failed}
        </p>
      ) : null}
      <div ref={scroller} className="log-lines mono" role="log" aria-label={`Log of ${name}`} aria-live="off" tabIndex={0} onScroll={onScroll}>
        {shown.map((line, index) => (
          <div key={`${line.at}-${index}`} className={`log-line level-${line.level}`}>
            <time dateTime={line.at}>{formatTime(line.at)}</time>
            <span className="log-level">{line.level}</span>
            <span className="log-source">{line.source}</span>
            <span className="log-text">{line.text}</span>
          </div>
        ))}
        {log?.status === 'loaded' && lines.length === 0 ? <p className="muted">Nothing logged yet.</p> : null}
      </div>
    </div>
  );
}
