/** Workspace images per runtime: what is there, and baking the current one with progress. */
import { TidepoolError } from '../../src-shared/errors.js';
import type { ImageInfo, RuntimeId } from '../../src-shared/workspace.js';
import type { EventBus } from '../api/event-bus.js';
import type { OperationContext } from '../runtimes/runtime.js';

/** One runtime's way of building the Tidepool image from the shared recipe in `images/`. */
export interface ImageBake {
  readonly runtime: RuntimeId;
  list(): Promise<ImageInfo[]>;
  /** Builds (or confirms up to date) the current image; phases go to ctx.progress, output to ctx.log. */
  build(ctx: OperationContext, options: { force: boolean }): Promise<void>;
}

export class ImageService {
  private readonly building = new Map<RuntimeId, AbortController>();

  constructor(
    private readonly bakes: ImageBake[],
    private readonly events: EventBus,
    private readonly defaultRuntime: () => Promise<RuntimeId | null>,
  ) {}

  async list(runtime?: RuntimeId): Promise<ImageInfo[]> {
    const chosen = runtime ? this.bakes.filter((bake) => bake.runtime === runtime) : this.bakes;
    const lists = await Promise.all(chosen.map((bake) => bake.list().catch(() => [] as ImageInfo[])));
    return lists.flat();
  }

  /** Builds in the foreground of the caller; progress goes out as `imageProgress` events too. */
  async build(runtime: RuntimeId | undefined, force: boolean, signal?: AbortSignal): Promise<void> {
    const id = runtime ?? (await this.defaultRuntime());
    const bake = this.bakes.find((candidate) => candidate.runtime === id);
    if (!id || !bake) {
      throw new TidepoolError({
        code: 'RUNTIME_UNAVAILABLE',
        message: id ? `Tidepool cannot build images for ${id}.` : 'No runtime is set up to build an image for.',
      });
    }
    if (this.building.has(id)) {
      throw new TidepoolError({ code: 'BUSY', message: `An image for ${id} is already being built.` });
    }
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(), { once: true });
    this.building.set(id, controller);
    let phase = 'starting';
    const ctx: OperationContext = {
      signal: controller.signal,
      progress: (message) => {
        phase = message;
        this.events.emit('imageProgress', { runtime: id, phase, line: message, done: false, failed: false });
      },
      log: (line) => this.events.emit('imageProgress', { runtime: id, phase, line, done: false, failed: false }),
    };
    try {
      await bake.build(ctx, { force });
      this.events.emit('imageProgress', { runtime: id, phase: 'done', line: 'Image ready.', done: true, failed: false });
    } catch (error) {
      const line = error instanceof Error ? error.message : String(error);
      this.events.emit('imageProgress', { runtime: id, phase, line, done: true, failed: true });
      throw error;
    } finally {
      this.building.delete(id);
    }
  }
}
