/** What this computer offers: runtimes and their set-up, workspace images, and unclaimed instances. */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { EventPayloads } from '../../src-shared/contract.js';
import { RUNTIME_IDS, type HostStatus, type ImageInfo, type OrphanInstance, type RuntimeId } from '../../src-shared/workspace.js';

export interface ImageBuild {
  phase: string;
  lines: string[];
  done: boolean;
  failed: boolean;
}

export interface HostState {
  status: HostStatus | null;
  images: Partial<Record<RuntimeId, ImageInfo[]>>;
  builds: Partial<Record<RuntimeId, ImageBuild>>;
  orphans: OrphanInstance[];
  setStatus(status: HostStatus): void;
  setImages(runtime: RuntimeId, images: ImageInfo[]): void;
  startBuild(runtime: RuntimeId): void;
  applyImageProgress(event: EventPayloads['imageProgress']): void;
  setOrphans(orphans: OrphanInstance[]): void;
}

export type HostStore = StoreApi<HostState>;

/** Enough build output to follow along; the full log stays in the core. */
const MAX_BUILD_LINES = 500;

export function isRuntimeId(value: string): value is RuntimeId {
  return (RUNTIME_IDS as readonly string[]).includes(value);
}

export function createHostStore(): HostStore {
  return createStore<HostState>()((set) => ({
    status: null,
    images: {},
    builds: {},
    orphans: [],
    setStatus: (status) => set({ status }),
    setImages: (runtime, images) => set((state) => ({ images: { ...state.images, [runtime]: images } })),
    startBuild: (runtime) =>
      set((state) => ({ builds: { ...state.builds, [runtime]: { phase: 'starting', lines: [], done: false, failed: false } } })),
    applyImageProgress: (event) =>
      set((state) => {
        if (!isRuntimeId(event.runtime)) return {};
        const previous = state.builds[event.runtime];
        const restarted = previous?.done === true && !event.done;
        const lines = restarted || !previous ? [] : previous.lines;
        const build: ImageBuild = {
          phase: event.phase,
          lines: [...lines, event.line].slice(-MAX_BUILD_LINES),
          done: event.done,
          failed: event.failed,
        };
        return { builds: { ...state.builds, [event.runtime]: build } };
      }),
    setOrphans: (orphans) => set({ orphans }),
  }));
}
