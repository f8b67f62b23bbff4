/** Builds the runtimes this host can offer, and their image bakes. Each runtime registers itself here. */
import type { Settings } from '../../src-shared/workspace.js';
import type { ImageBake } from '../images/image-service.js';
import type { Runtime } from './runtime.js';
import { SimulatedRuntime } from './simulated/simulated-runtime.js';

export interface RuntimeFactoryOptions {
  dataDir: string;
  platform: string;
  settings: () => Settings;
  /** Offer the simulated double (development and tests only; never auto-selected). */
  simulated: boolean | SimulatedRuntime;
}

export function createRuntimes(options: RuntimeFactoryOptions): { runtimes: Runtime[]; bakes: ImageBake[] } {
  const runtimes: Runtime[] = [];
  const bakes: ImageBake[] = [];
  if (options.simulated) {
    runtimes.push(options.simulated instanceof SimulatedRuntime ? options.simulated : new SimulatedRuntime());
  }
  return { runtimes, bakes };
}
