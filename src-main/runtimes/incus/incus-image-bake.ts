/**
 * Baking the Incus image: runs images/incus/bake.sh (debootstrap + the shared recipe, imported as
 * `tidepool/<version>` on the local Incus). The script prints `==> <phase>` at each phase; those become
 * progress, every other line goes to the log. Listing reads the `tidepool/*` aliases over the API.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TidepoolError } from '../../../src-shared/errors.js';
import type { ImageInfo } from '../../../src-shared/workspace.js';
import type { ImageBake } from '../../images/image-service.js';
import { cancelledError } from '../../util/abort.js';
import type { OperationContext } from '../runtime.js';
import type { IncusClient } from './incus-client.js';
import { DEFAULT_IMAGES_DIR, listTidepoolImages, readImageVersion } from './incus-images.js';

export interface IncusImageBakeOptions {
  client: () => Promise<IncusClient>;
  imagesDir?: string;
  /** The script to run (tests use a stand-in). */
  script?: string;
  /** Whether this process may run the bake (it needs root). */
  isRoot?: () => boolean;
}

const PHASE_LINE = /^==> (.+)$/;
/** Lines of output kept for the error when the bake fails. */
const TAIL_LINES = 20;

export class IncusImageBake implements ImageBake {
  readonly runtime = 'incus' as const;

  constructor(private readonly options: IncusImageBakeOptions) {}

  async list(): Promise<ImageInfo[]> {
    return listTidepoolImages(await this.options.client(), readImageVersion(this.imagesDir()));
  }

  async build(ctx: OperationContext, options: { force: boolean }): Promise<void> {
    const client = await this.options.client();
    if (client.isRemote()) {
      throw new TidepoolError({
        code: 'INVALID_STATE',
        message: 'Tidepool bakes the Incus image on this computer only; the active Incus is a remote server.',
        hint: 'On the server, run `sudo images/incus/bake.sh` from a Tidepool checkout.',
      });
    }
    const isRoot = this.options.isRoot ?? (() => process.getuid?.() === 0);
    const script = this.options.script ?? join(this.imagesDir(), 'incus', 'bake.sh');
    if (!isRoot()) {
      throw new TidepoolError({
        code: 'RUNTIME_NOT_SET_UP',
        message: 'Baking the Incus image needs root (it runs debootstrap and mounts a chroot).',
        hint: `Run \`sudo ${script}${options.force ? ' --force' : ''}\` once in a terminal, then check again.`,
      });
    }
    await runBake(script, options.force ? ['--force'] : [], ctx);
  }

  private imagesDir(): string {
    return this.options.imagesDir ?? DEFAULT_IMAGES_DIR;
  }
}

function runBake(script: string, args: string[], ctx: OperationContext): Promise<void> {
  if (ctx.signal.aborted) return Promise.reject(cancelledError());
  return new Promise<void>((resolve, reject) => {
    // Own process group, so a cancel stops the script and everything it started.
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const tail: string[] = [];
    const remember = (line: string): void => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    createInterface({ input: child.stdout }).on('line', (line) => {
      const phase = PHASE_LINE.exec(line);
      if (phase?.[1]) ctx.progress(phase[1]);
      else ctx.log(line);
      remember(line);
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      ctx.log(line, 'warn');
      remember(line);
    });
    const onAbort = (): void => {
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // Already gone.
        }
      }
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      ctx.signal.removeEventListener('abort', onAbort);
      reject(new TidepoolError({ code: 'RUNTIME_ERROR', message: `Tidepool could not run ${script}.`, detail: error.message }));
    });
    child.once('close', (code, signal) => {
      ctx.signal.removeEventListener('abort', onAbort);
      if (ctx.signal.aborted) reject(cancelledError());
      else if (code === 0) resolve();
      else {
        const errorLine = [...tail].reverse().find((line) => /ERROR/.test(line));
        reject(
          new TidepoolError({
            code: 'RUNTIME_ERROR',
            message: `Baking the Incus image failed${errorLine ? `: ${errorLine.replace(/^bake\.sh: ERROR: /, '')}` : '.'}`,
            hint: 'The log shows the whole output; fix the cause and build again (finished phases are cached).',
            detail: `${signal ? `killed by ${signal}` : `exit ${code}`}\n${tail.join('\n')}`,
          }),
        );
      }
    });
  });
}
