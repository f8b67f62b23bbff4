/**
 * The runtime driven directly, without Tidepool: the baseline for the overhead ratio, and the place the
 * bench reads a workspace's cost from. One implementation per runtime (direct-incus.ts, direct-tart.ts).
 */
import type { RuntimeId } from '../src-shared/workspace.js';

export interface IdleCost {
  /** Resident anonymous memory of everything in the instance. */
  rssMiB: number;
  /** The runtime's own total for the instance (includes page cache where it counts it). */
  totalMiB: number;
  cacheMiB: number | null;
  /** Share of one host core used over the sampling window. */
  cpuPercent: number;
}

export interface DiskCost {
  /** What this workspace's instance added on top of the image (copy-on-write). */
  instanceMiB: number;
  /** The unpacked image every workspace shares. */
  imageMiB: number;
  /** The workspace's home volume, where the runtime keeps one apart. */
  homeMiB: number | null;
}

export interface DirectRuntime {
  readonly id: RuntimeId;
  /** Version, storage driver and the like, for the machine description. */
  describe(): Promise<Record<string, string>>;
  /** Creates and starts `name` from the Tidepool image with `publicKey` authorised for `dev`. */
  launch(name: string, publicKey: string): Promise<void>;
  /** The guest's IPv4 address, polled until it has one. */
  address(name: string, timeoutMs: number): Promise<string>;
  remove(name: string): Promise<void>;
  /** Names of instances whose name starts with `prefix` (for the clean-up of an interrupted run). */
  leftovers(prefix: string): Promise<string[]>;
  /** Memory and CPU of a running instance, sampled over `windowMs`; null where the runtime cannot tell. */
  idleCost?(instanceName: string, windowMs: number): Promise<IdleCost>;
  diskCost?(instanceName: string): Promise<DiskCost>;
}
