/**
 * Bakes the Tidepool image for Tart on the user's Mac: clone Tart's published Debian image, boot it, log in
 * once as admin/admin, run the shared recipe (images/recipe/provision.sh, with Node and code-server installed
 * from npm inside the arm64 VM), install Tidepool's key for `dev`, turn password login off, finalise, shut
 * down and keep the VM as `tidepool-<version>`. Workspaces are APFS clones of it (instant, copy-on-write).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TidepoolError } from '../../../src-shared/errors.js';
import type { ImageInfo } from '../../../src-shared/workspace.js';
import { loadOrCreateSshKey } from '../../guest/ssh-key.js';
import type { ImageBake } from '../../images/image-service.js';
import type { OperationContext } from '../runtime.js';
import { connectWithPassword, type BakeSession } from './bake-ssh.js';
import { IMAGE_PREFIX, loadRecipe } from './recipe.js';
import type { TartRuntime } from './tart-runtime.js';

/** Tart's published Linux images: user admin, password admin, passwordless sudo. */
const BUILD_LOGIN = { username: 'admin', password: 'admin' };
const REMOTE_RECIPE = '/tmp/tidepool-recipe';

export interface TartImageBakeOptions {
  runtime: TartRuntime;
  dataDir: string;
  platform?: string;
  /** Opens the SSH session to the build VM (tests pass a double; default: ssh2 with admin/admin). */
  connect?: (address: string, ctx: OperationContext) => Promise<BakeSession>;
  timeouts?: { addressMs?: number; sshMs?: number; shutdownMs?: number };
}

export class TartImageBake implements ImageBake {
  readonly runtime = 'tart' as const;

  constructor(private readonly options: TartImageBakeOptions) {}

  list(): Promise<ImageInfo[]> {
    return this.options.runtime.images();
  }

  async build(ctx: OperationContext, options: { force: boolean }): Promise<void> {
    const tart = this.options.runtime;
    await tart.requireTart();
    const recipe = loadRecipe(tart.imagesDir);
    const target = `${IMAGE_PREFIX}${recipe.imageVersion}`;
    const buildVm = `${IMAGE_PREFIX}build-${recipe.imageVersion}`;
    ctx.progress('Checking');
    ctx.log(`image ${target} from ${recipe.baseImage}, recipe ${recipe.hash.slice(0, 12)}`);
    const local = await tart.listLocal();
    const exists = local.some((entry) => entry.Name === target);
    if (exists && !options.force && tart.files.imageRecord(target)?.recipeHash === recipe.hash) {
      ctx.log(`${target} is up to date (rebuild with --force)`);
      return;
    }
    if (local.some((entry) => entry.Name === buildVm)) {
      ctx.log(`removing ${buildVm}, left over from an earlier bake`);
      await this.discard(buildVm, ctx);
    }
    try {
      ctx.progress(`Downloading ${recipe.baseImage}`);
      await tart.tart(['clone', recipe.baseImage, buildVm], { action: `pull the base image ${recipe.baseImage}`, vm: buildVm }, {
        signal: ctx.signal,
        timeoutMs: 2 * 60 * 60_000,
        // Pulling is where Tart's automatic pruning of its own image cache makes room: leave it on here.
        noAutoPrune: false,
        onLine: (line) => ctx.log(`tart clone: ${line}`),
      });
      await tart.tart(['set', buildVm, '--cpu', '4', '--memory', '4096', '--random-mac'], { action: `configure ${buildVm}`, vm: buildVm }, {
        signal: ctx.signal,
        timeoutMs: 5 * 60_000,
      });
      ctx.progress('Booting the build VM');
      await tart.startBuildVm(buildVm, ctx);
      const address = await tart.getIp(buildVm, ctx, this.options.timeouts?.addressMs ?? 180_000);
      if (!address) {
        throw new TidepoolError({
          code: 'TIMEOUT',
          message: 'The build VM got no network address.',
          hint: 'Check the bake log for how far it booted, then build the image again.',
        });
      }
      ctx.progress('Logging in to the build VM');
      const session = await (this.options.connect ?? ((host, operation) => this.login(host, operation)))(address, ctx);
      try {
        await this.provision(session, recipe, ctx);
      } finally {
        session.close();
      }
      ctx.progress('Shutting down the build VM');
      // The guest is already powering off; stop() waits for `tart run` to end (power-off only as a fallback).
      await tart.stop(buildVm, ctx, { timeoutMs: this.options.timeouts?.shutdownMs ?? 120_000 });
      ctx.progress(`Keeping it as ${target}`);
      if (exists) {
        await tart.tart(['delete', target], { action: `replace ${target}`, vm: target }, { timeoutMs: 5 * 60_000 });
        tart.files.removeImageRecord(target);
      }
      await tart.tart(['rename', buildVm, target], { action: `keep ${buildVm} as ${target}`, vm: buildVm }, { timeoutMs: 60_000 });
      tart.files.writeImageRecord(target, {
        version: recipe.imageVersion,
        recipeHash: recipe.hash,
        baseImage: recipe.baseImage,
        builtAt: new Date().toISOString(),
      });
      ctx.log(`${target} is ready; workspaces clone from it`);
    } catch (error) {
      ctx.log(`bake failed; removing ${buildVm}`, 'warn');
      await this.discard(buildVm, ctx).catch(() => undefined);
      throw error;
    }
  }

  private login(host: string, ctx: OperationContext): Promise<BakeSession> {
    return connectWithPassword(
      { host, ...BUILD_LOGIN },
      { timeoutMs: this.options.timeouts?.sshMs ?? 180_000, signal: ctx.signal, platform: this.options.platform ?? process.platform },
    );
  }

  private async provision(session: BakeSession, recipe: ReturnType<typeof loadRecipe>, ctx: OperationContext): Promise<void> {
    const run = async (command: string, what: string): Promise<void> => {
      ctx.log(`$ ${command}`);
      const result = await session.exec(command, { signal: ctx.signal, onLine: (line) => ctx.log(`guest: ${line}`) });
      if (result.code !== 0) {
        throw new TidepoolError({
          code: 'RUNTIME_ERROR',
          message: `The image recipe failed in the build VM while ${what}.`,
          hint: 'The details end with the recipe’s last lines; the full output is in the bake log. Fix the cause, then build again.',
          detail: `\`${command}\` exited ${result.code ?? '(connection lost)'}:\n${result.tail}`,
        });
      }
    };
    const recipeEnv = `TIDEPOOL_STAGE_MODE=npm TIDEPOOL_RECIPE_HASH=${recipe.hash}`;
    ctx.progress('Uploading the recipe');
    await run(`rm -rf ${REMOTE_RECIPE} && mkdir -p ${REMOTE_RECIPE}`, 'preparing the upload');
    for (const file of recipe.files) await session.upload(`${REMOTE_RECIPE}/${file}`, readFileSync(join(recipe.dir, file)));
    ctx.progress('Installing Node and code-server (npm builds native modules: several minutes)');
    await run(`sudo env ${recipeEnv} bash ${REMOTE_RECIPE}/provision.sh`, 'provisioning');
    ctx.progress("Installing Tidepool's SSH key");
    await session.upload(`${REMOTE_RECIPE}/authorized_keys`, `${loadOrCreateSshKey(this.options.dataDir).publicKey}\n`);
    await run(`sudo install -m 0600 -o dev -g dev ${REMOTE_RECIPE}/authorized_keys /home/dev/.ssh/authorized_keys`, "installing Tidepool's key");
    ctx.progress('Turning password login off');
    // provision.sh's sshd drop-in already refuses passwords; this also locks admin's password and keeps
    // cloud-init from turning password SSH back on.
    await run(
      "sudo passwd -l admin && if [ -d /etc/cloud/cloud.cfg.d ]; then echo 'ssh_pwauth: false' | sudo tee /etc/cloud/cloud.cfg.d/99-tidepool-no-password.cfg >/dev/null; fi",
      'turning password login off',
    );
    ctx.progress('Finalising the image');
    await run(`sudo env TIDEPOOL_FINALIZE=1 ${recipeEnv} bash ${REMOTE_RECIPE}/provision.sh && sudo rm -rf ${REMOTE_RECIPE}`, 'finalising');
    // The session ends with the guest; a lost connection here is the expected outcome.
    await session.exec('sudo systemctl poweroff', { signal: ctx.signal }).catch(() => undefined);
  }

  private async discard(vm: string, ctx: OperationContext): Promise<void> {
    const quiet: OperationContext = { signal: new AbortController().signal, progress: () => undefined, log: ctx.log };
    await this.options.runtime.stop(vm, quiet, { force: true });
    await this.options.runtime.delete(vm, quiet);
  }
}
