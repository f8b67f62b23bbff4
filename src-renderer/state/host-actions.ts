/** Loads of host information the UI asks for on demand (and after the events that change it). */
import type { TidepoolApi } from '../../src-shared/contract.js';
import type { HostStatus } from '../../src-shared/workspace.js';
import type { HostStore } from './host-store.js';

/** Real runtimes that can hold images; the simulated one brings its own. */
export function imageRuntimes(status: HostStatus): HostStatus['runtimes'] {
  return status.runtimes.filter((runtime) => runtime.available && !runtime.simulated);
}

export async function loadImages(api: TidepoolApi, host: HostStore, status: HostStatus): Promise<void> {
  await Promise.all(
    imageRuntimes(status).map(async (runtime) => {
      host.getState().setImages(runtime.id, await api.listImages({ runtime: runtime.id }));
    }),
  );
}

export async function checkHost(api: TidepoolApi, host: HostStore, refresh: boolean): Promise<HostStatus> {
  const status = await api.getHostStatus({ refresh });
  host.getState().setStatus(status);
  await loadImages(api, host, status);
  return status;
}

export async function loadOrphans(api: TidepoolApi, host: HostStore): Promise<void> {
  host.getState().setOrphans(await api.listOrphans({}));
}
