/** The runtime-alone driver for a runtime id, or null where the bench has none. */
import type { RuntimeId } from '../src-shared/workspace.js';
import { DirectIncus } from './direct-incus.js';
import type { DirectRuntime } from './direct-runtime.js';
import { DirectTart } from './direct-tart.js';

export function directRuntime(id: RuntimeId, image: string): DirectRuntime | null {
  if (id === 'incus') return new DirectIncus(image);
  if (id === 'tart') return new DirectTart(image);
  return null;
}
