/**
 * Dialogs and anything else drawn over the content. The desktop app's IDE is a native view that paints
 * above the page, so it must be hidden while any overlay is open.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { OrphanInstance } from '../../src-shared/workspace.js';

export type DialogRequest =
  | { kind: 'create' }
  | { kind: 'delete'; workspaceId: string }
  | { kind: 'remove-orphan'; orphan: OrphanInstance };

export interface UiState {
  dialog: DialogRequest | null;
  overlays: number;
  openDialog(dialog: DialogRequest): void;
  closeDialog(): void;
  /** Registers an overlay for as long as it is shown; returns its release. */
  holdOverlay(): () => void;
}

export type UiStore = StoreApi<UiState>;

export function createUiStore(): UiStore {
  return createStore<UiState>()((set) => ({
    dialog: null,
    overlays: 0,
    openDialog: (dialog) => set({ dialog }),
    closeDialog: () => set({ dialog: null }),
    holdOverlay: () => {
      set((state) => ({ overlays: state.overlays + 1 }));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        set((state) => ({ overlays: state.overlays - 1 }));
      };
    },
  }));
}
