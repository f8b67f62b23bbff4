/**
 * What Tidepool keeps beside each Tart VM, in its own data folder (Tart VMs carry no metadata of their own):
 *   tart/vms/<vm>/workspace.json   the marks (workspace id and name) and the network policy for `tart run`
 *   tart/vms/<vm>/run.log          output of `tart run` (a file, never a pipe)
 *   tart/vms/<vm>/share/           shared read-only into the guest under the virtiofs tag `tidepool`:
 *                                  authorized_keys and hostname, applied by the image's first-boot unit
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TidepoolError } from '../../../src-shared/errors.js';
import { networkPolicySchema } from '../../../src-shared/schemas.js';
import type { NetworkPolicy } from '../../../src-shared/workspace.js';

/** The virtiofs tag the image's tidepool-firstboot.service mounts. */
export const SHARE_TAG = 'tidepool';
const LOG_ROTATE_BYTES = 1024 * 1024;

const imageRecordSchema = z.object({
  version: z.string(),
  recipeHash: z.string(),
  baseImage: z.string(),
  builtAt: z.string(),
});
/** What a bake of a local `tidepool-<version>` VM was made from. */
export type ImageRecord = z.infer<typeof imageRecordSchema>;

const marksSchema = z.object({
  workspaceId: z.string(),
  workspaceName: z.string(),
  network: networkPolicySchema,
});
export type WorkspaceMarks = z.infer<typeof marksSchema>;

const VM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A local Tart VM name Tidepool is willing to use (no `/`, which would make it a registry reference). */
export function assertVmName(name: string): void {
  if (!VM_NAME.test(name)) {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: `“${name}” cannot be a Tart VM name.`,
      hint: 'Use letters, digits, dots, hyphens and underscores only.',
    });
  }
}

export class TartFiles {
  constructor(private readonly root: string) {}

  folder(vm: string): string {
    assertVmName(vm);
    return join(this.root, 'vms', vm);
  }

  logPath(vm: string): string {
    return join(this.folder(vm), 'run.log');
  }

  shareDir(vm: string): string {
    return join(this.folder(vm), 'share');
  }

  /** The `--dir` value: unnamed (so the files sit at the top of the mount), read-only, tagged. */
  shareArgument(vm: string): string {
    const dir = this.shareDir(vm);
    if (dir.includes(':')) {
      throw new TidepoolError({
        code: 'RUNTIME_NOT_SET_UP',
        message: "Tidepool's data folder has a colon in its path, which Tart cannot share into a VM.",
        hint: 'Move the data folder to a path without colons.',
        detail: dir,
      });
    }
    return `${dir}:ro,tag=${SHARE_TAG}`;
  }

  /** Writes the marks and the guest's key and hostname before the VM is cloned. */
  prepare(vm: string, marks: WorkspaceMarks, publicKey: string, hostname: string): void {
    const share = this.shareDir(vm);
    mkdirSync(share, { recursive: true, mode: 0o700 });
    this.writeMarks(vm, marks);
    writeFileSync(join(share, 'authorized_keys'), `${publicKey.trim()}\n`, { mode: 0o644 });
    writeFileSync(join(share, 'hostname'), `${hostname}\n`, { mode: 0o644 });
  }

  /** The marks of a VM Tidepool made, or null (any other VM, whatever its name). */
  readMarks(vm: string): WorkspaceMarks | null {
    if (!VM_NAME.test(vm)) return null;
    const file = join(this.folder(vm), 'workspace.json');
    return readJson(file, marksSchema);
  }

  writeNetwork(vm: string, network: NetworkPolicy): void {
    const marks = this.readMarks(vm);
    if (marks) this.writeMarks(vm, { ...marks, network });
  }

  /** Opens the run log for a new `tart run`; returns where this run begins. */
  openRunLog(vm: string): { path: string; offset: number } {
    mkdirSync(this.folder(vm), { recursive: true, mode: 0o700 });
    return openLog(this.logPath(vm));
  }

  /** Opens the log of the image bake's build VM. */
  openBakeLog(): { path: string; offset: number } {
    mkdirSync(join(this.root, 'images'), { recursive: true, mode: 0o700 });
    return openLog(join(this.root, 'images', 'bake.log'));
  }

  imageRecord(image: string): ImageRecord | null {
    if (!VM_NAME.test(image)) return null;
    return readJson(join(this.root, 'images', `${image}.json`), imageRecordSchema);
  }

  writeImageRecord(image: string, record: ImageRecord): void {
    assertVmName(image);
    mkdirSync(join(this.root, 'images'), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.root, 'images', `${image}.json`), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  }

  removeImageRecord(image: string): void {
    if (VM_NAME.test(image)) rmSync(join(this.root, 'images', `${image}.json`), { force: true });
  }

  /** Removes the log, the shared key and the marks of a deleted VM. */
  remove(vm: string): void {
    rmSync(this.folder(vm), { recursive: true, force: true });
  }

  private writeMarks(vm: string, marks: WorkspaceMarks): void {
    const file = join(this.folder(vm), 'workspace.json');
    writeFileSync(file, `${JSON.stringify(marks, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
}

function readJson<T>(file: string, schema: z.ZodType<T>): T | null {
  if (!existsSync(file)) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Moves a large old log aside and returns where the new output will begin. */
function openLog(path: string): { path: string; offset: number } {
  if (existsSync(path) && statSync(path).size > LOG_ROTATE_BYTES) renameSync(path, `${path}.1`);
  return { path, offset: existsSync(path) ? statSync(path).size : 0 };
}
