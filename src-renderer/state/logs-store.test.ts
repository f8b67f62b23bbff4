import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src-shared/workspace.js';
import { MAX_LOG_LINES, createLogsStore } from './logs-store.js';

const line = (text: string, at = '2026-11-20T10:00:00.000Z'): LogLine => ({ workspaceId: 'w', at, source: 'tidepool', level: 'info', text });

describe('logs store', () => {
  it('ignores lines of workspaces whose log is not open', () => {
    const logs = createLogsStore();
    logs.getState().append(line('early'));
    expect(logs.getState().logs).toEqual({});
  });

  it('merges lines pushed during the history load without duplicates', () => {
    const logs = createLogsStore();
    expect(logs.getState().beginLoad('w')).toBe(true);
    expect(logs.getState().beginLoad('w')).toBe(false);
    logs.getState().append(line('b', '2026-11-20T10:00:01.000Z'));
    logs.getState().append(line('c', '2026-11-20T10:00:02.000Z'));
    logs.getState().finishLoad('w', [line('a'), line('b', '2026-11-20T10:00:01.000Z')]);
    logs.getState().append(line('d', '2026-11-20T10:00:03.000Z'));
    expect(logs.getState().logs.w!.lines.map((l) => l.text)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps at most the newest MAX_LOG_LINES lines', () => {
    const logs = createLogsStore();
    logs.getState().beginLoad('w');
    logs.getState().finishLoad('w', []);
    for (let i = 0; i < MAX_LOG_LINES + 10; i += 1) logs.getState().append(line(String(i)));
    const lines = logs.getState().logs.w!.lines;
    expect(lines).toHaveLength(MAX_LOG_LINES);
    expect(lines[0]!.text).toBe('10');
    expect(lines.at(-1)!.text).toBe(String(MAX_LOG_LINES + 9));
  });
});
