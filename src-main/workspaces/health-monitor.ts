/**
 * Watches ready workspaces: a VM that died under a running workspace is shown as failed with the cause,
 * and an IDE that stopped answering is restarted by the guest layer.
 */
import { toTidepoolError } from '../../src-shared/errors.js';
import type { RuntimeId } from '../../src-shared/workspace.js';
import type { GuestAccess } from '../guest/guest-access.js';
import type { RuntimeRegistry } from '../runtimes/registry.js';
import type { WorkspaceService } from './workspace-service.js';

export class HealthMonitor {
  private timer: ReturnType<typeof setInterval> | null = null;
  private checking = false;

  constructor(
    private readonly workspaces: WorkspaceService,
    private readonly registry: RuntimeRegistry,
    private readonly guestFor: (runtime: RuntimeId) => GuestAccess,
    private readonly intervalMs = 10_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.checkOnce(), this.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round over every ready workspace; overlapping rounds are skipped. */
  async checkOnce(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      for (const workspace of this.workspaces.list()) {
        if (workspace.state !== 'ready' || this.workspaces.isBusy(workspace.id)) continue;
        const runtime = this.registry.findForWorkspace(workspace);
        if (!runtime) continue;
        let state: string;
        try {
          state = (await runtime.status(workspace.instanceName)).state;
        } catch (error) {
          this.workspaces.note(workspace.id, `health check could not ask ${runtime.displayName}: ${toTidepoolError(error).message}`, 'warn');
          continue;
        }
        if (state !== 'running') {
          await this.workspaces.markDied(workspace.id, state);
          continue;
        }
        const guest = this.guestFor(workspace.runtime);
        if (!guest.checkIde || !guest.isAttached(workspace.id)) continue;
        const health = await guest.checkIde(workspace.id).catch((error: unknown) => ({
          state: 'failed' as const,
          detail: toTidepoolError(error).message,
        }));
        if (health.state === 'restarted') this.workspaces.note(workspace.id, `the IDE had stopped answering and was restarted (${health.detail})`, 'warn');
        if (health.state === 'failed') this.workspaces.note(workspace.id, `the IDE is not answering: ${health.detail}`, 'error');
      }
    } finally {
      this.checking = false;
    }
  }
}
