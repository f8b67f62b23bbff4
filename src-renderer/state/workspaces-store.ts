/**
 * Every workspace and the operation running on it, kept current by pushed events. A snapshot from
 * `listWorkspaces`/`getProgress` replaces what is known (it is newer than any event that arrived before it);
 * events then apply on top.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OperationProgress, OperationStep, Workspace } from '../../src-shared/workspace.js';

export interface StepTiming {
  startedAt: string;
  /** Set when the next step began or the operation ended. */
  endedAt: string | null;
}

/** The latest operation on a workspace, kept after it ends so its outcome stays visible. */
export interface OperationView {
  progress: OperationProgress;
  /** Only steps seen while this window was open; earlier ones have no timing. */
  timings: Partial<Record<OperationStep, StepTiming>>;
  endedAt: string | null;
}

export interface WorkspacesState {
  loaded: boolean;
  byId: Record<string, Workspace>;
  /** Oldest first, the order the sidebar shows. */
  list: Workspace[];
  operations: Record<string, OperationView>;
  replaceAll(workspaces: Workspace[]): void;
  upsert(workspace: Workspace): void;
  remove(id: string): void;
  applyProgress(progress: OperationProgress): void;
  replaceProgress(all: OperationProgress[]): void;
}

export type WorkspacesStore = StoreApi<WorkspacesState>;

function sorted(byId: Record<string, Workspace>): Workspace[] {
  return Object.values(byId).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
}

function nextOperation(previous: OperationView | undefined, progress: OperationProgress, now: () => Date): OperationView {
  const sameOperation =
    previous !== undefined &&
    previous.progress.operation === progress.operation &&
    previous.progress.startedAt === progress.startedAt;
  const timings: OperationView['timings'] = sameOperation ? { ...previous.timings } : {};
  if (sameOperation && previous.progress.step !== progress.step) {
    const before = timings[previous.progress.step];
    if (before && before.endedAt === null) timings[previous.progress.step] = { ...before, endedAt: progress.stepStartedAt };
  }
  const current = timings[progress.step];
  if (!current || current.startedAt !== progress.stepStartedAt) {
    timings[progress.step] = { startedAt: progress.stepStartedAt, endedAt: null };
  }
  let endedAt = sameOperation ? previous.endedAt : null;
  if (progress.done && endedAt === null) {
    endedAt = now().toISOString();
    const last = timings[progress.step];
    if (last && last.endedAt === null) timings[progress.step] = { ...last, endedAt };
  }
  return { progress, timings, endedAt };
}

export function createWorkspacesStore(now: () => Date = () => new Date()): WorkspacesStore {
  return createStore<WorkspacesState>()((set) => ({
    loaded: false,
    byId: {},
    list: [],
    operations: {},
    replaceAll: (workspaces) =>
      set(() => {
        const byId = Object.fromEntries(workspaces.map((workspace) => [workspace.id, workspace]));
        return { loaded: true, byId, list: sorted(byId) };
      }),
    upsert: (workspace) =>
      set((state) => {
        const byId = { ...state.byId, [workspace.id]: workspace };
        return { byId, list: sorted(byId) };
      }),
    remove: (id) =>
      set((state) => {
        if (!(id in state.byId) && !(id in state.operations)) return {};
        const byId = { ...state.byId };
        delete byId[id];
        const operations = { ...state.operations };
        delete operations[id];
        return { byId, list: sorted(byId), operations };
      }),
    applyProgress: (progress) =>
      set((state) => ({
        operations: {
          ...state.operations,
          [progress.workspaceId]: nextOperation(state.operations[progress.workspaceId], progress, now),
        },
      })),
    replaceProgress: (all) =>
      set((state) => {
        const operations = { ...state.operations };
        // Operations the snapshot no longer lists have finished; keep their last view but not as running.
        for (const [id, view] of Object.entries(operations)) {
          if (!view.progress.done && !all.some((progress) => progress.workspaceId === id)) delete operations[id];
        }
        for (const progress of all) {
          operations[progress.workspaceId] = nextOperation(operations[progress.workspaceId], progress, now);
        }
        return { operations };
      }),
  }));
}

/** The operation currently running on a workspace, if any. */
export function runningOperation(state: WorkspacesState, id: string): OperationView | null {
  const view = state.operations[id];
  return view && !view.progress.done ? view : null;
}
