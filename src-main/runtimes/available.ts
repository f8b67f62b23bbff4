/** Builds the runtimes this host can offer, and their image bakes. Each runtime registers itself here. */
import type { Settings } from '../../src-shared/workspace.js';
import type { ImageBake } from '../images/image-service.js';
import { IncusImageBake } from './incus/incus-image-bake.js';
import { IncusRuntime, incusOffered } from './incus/incus-runtime.js';
import type { Runtime } from './runtime.js';
import { simulatedFailureFromEnv } from './simulated/failure-from-env.js';
import { SimulatedRuntime } from './simulated/simulated-runtime.js';
import { TartImageBake } from './tart/tart-image-bake.js';
import { TartRuntime } from './tart/tart-runtime.js';

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
    const simulated = options.simulated instanceof SimulatedRuntime ? options.simulated : new SimulatedRuntime();
    const injected = simulatedFailureFromEnv(process.env.TIDEPOOL_SIMULATED_FAIL);
    if (injected) simulated.inject(injected.op, injected.failure, Infinity);
    runtimes.push(simulated);
  }
  if (incusOffered(options.platform, options.settings())) {
    const incus = new IncusRuntime({ dataDir: options.dataDir, settings: options.settings });
    runtimes.push(incus);
    bakes.push(new IncusImageBake({ client: () => incus.client() }));
  }
  // Offered on every OS: an explicit choice uses the `tart` on PATH (inspect() warns off macOS); auto-selection
  // prefers it on macOS only (registry.ts).
  const tart = new TartRuntime({ dataDir: options.dataDir, settings: options.settings, platform: options.platform });
  runtimes.push(tart);
  bakes.push(new TartImageBake({ runtime: tart, dataDir: options.dataDir, platform: options.platform }));
  return { runtimes, bakes };
}
