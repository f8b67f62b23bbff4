/**
 * Log lines of the workspaces whose Logs tab has been opened. Opening loads the recent history; lines pushed
 * while that load is under way are merged in without duplicates, later ones are appended.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LogLine } from '../../src-shared/workspace.js';

export const MAX_LOG_LINES = 5000;

interface WorkspaceLog {
  status: 'loading' | 'loaded';
  lines: LogLine[];
}

export interface LogsState {
  logs: Record<string, WorkspaceLog>;
  /** Marks the workspace as followed; returns false if it already was. */
  beginLoad(workspaceId: string): boolean;
  finishLoad(workspaceId: string, history: LogLine[]): void;
  failLoad(workspaceId: string): void;
  append(line: LogLine): void;
  forget(workspaceId: string): void;
}

export type LogsStore = StoreApi<LogsState>;

const key = (line: LogLine): string => `${line.at}\u0000${line.source}\u0000${line.level}\u0000${line.text}`;

export function createLogsStore(): LogsStore {
  return createStore<LogsState>()((set, get) => ({
    logs: {},
    beginLoad: (workspaceId) => {
      if (get().logs[workspaceId]) return false;
      set((state) => ({ logs: { ...state.logs, [workspaceId]: { status: 'loading', lines: [] } } }));
      return true;
    },
    finishLoad: (workspaceId, history) =>
      set((state) => {
        const early = state.logs[workspaceId]?.lines ?? [];
        const seen = new Set(history.map(key));
        const lines = [...history, ...early.filter((line) => !seen.has(key(line)))].slice(-MAX_LOG_LINES);
        return { logs: { ...state.logs, [workspaceId]: { status: 'loaded', lines } } };
      }),
    failLoad: (workspaceId) =>
      set((state) => {
        const logs = { ...state.logs };
        delete logs[workspaceId];
        return { logs };
      }),
    append: (line) =>
      set((state) => {
        const log = state.logs[line.workspaceId];
        if (!log) return {};
        const lines = log.lines.length >= MAX_LOG_LINES ? [...log.lines.slice(1 - MAX_LOG_LINES), line] : [...log.lines, line];
        return { logs: { ...state.logs, [line.workspaceId]: { ...log, lines } } };
      }),
    forget: (workspaceId) =>
      set((state) => {
        if (!state.logs[workspaceId]) return {};
        const logs = { ...state.logs };
        delete logs[workspaceId];
        return { logs };
      }),
  }));
}
