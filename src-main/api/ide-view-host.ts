/**
 * Native IDE views: the desktop shell draws each workspace's IDE as a view over the renderer's placeholder.
 * Only the Electron shell provides one; without it (browser host, CLI) the IDE view methods do nothing,
 * because the renderer shows the IDE in an iframe there.
 */

/** CSS pixels of the window's content area. */
export interface ViewBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface IdeViewHost {
  /** Shows this workspace's IDE at `bounds`, loading `ideUrl` the first time, and hides every other. */
  show(workspaceId: string, ideUrl: string, bounds: ViewBounds): void;
  hideAll(): void;
  /** Releases the workspace's view (its tab closed, or the workspace stopped or went away). */
  close(workspaceId: string): void;
}
