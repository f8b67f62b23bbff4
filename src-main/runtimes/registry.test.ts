import { describe, expect, it } from 'vitest';
import type { RuntimeId, RuntimeInfo } from '../../src-shared/workspace.js';
import { RuntimeRegistry } from './registry.js';
import type { Runtime } from './runtime.js';

/** Just enough of a runtime for selection: what inspect() reports, and optionally where it runs. */
function runtimeDouble(id: RuntimeId, available: boolean, extra: Partial<Runtime> = {}): Runtime {
  const info: RuntimeInfo = {
    id,
    displayName: id,
    available,
    simulated: id === 'simulated',
    version: '1',
    capabilities: null,
    setup: [{ id: 'install', title: `Install ${id}`, ok: available }],
    warnings: [],
  };
  return { id, displayName: id, inspect: async () => info, ...extra } as Runtime;
}

describe('choosing the runtime for new workspaces', () => {
  it('picks the best real runtime by itself and never the simulated one', async () => {
    const registry = new RuntimeRegistry([runtimeDouble('simulated', true), runtimeDouble('incus', true)], { platform: 'linux', preferred: () => 'auto' });
    expect(await registry.hostStatus(true)).toMatchObject({ selected: 'incus', selectedBy: 'auto', ready: true });
    const onlySimulated = new RuntimeRegistry([runtimeDouble('simulated', true)], { platform: 'linux', preferred: () => 'auto' });
    expect(await onlySimulated.hostStatus(true)).toMatchObject({ selected: null, selectedBy: 'none', ready: false });
  });

  it('takes an explicit choice even when it is not ready, and says whether Settings or --runtime made it', async () => {
    const runtimes = [runtimeDouble('tart', false), runtimeDouble('incus', true)];
    const bySetting = new RuntimeRegistry(runtimes, { platform: 'darwin', preferred: () => 'tart' });
    expect(await bySetting.hostStatus(true)).toMatchObject({ selected: 'tart', selectedBy: 'setting', ready: false });
    const byFlag = new RuntimeRegistry(runtimes, { platform: 'darwin', preferred: () => 'incus', preferredByFlag: true });
    expect(await byFlag.hostStatus(true)).toMatchObject({ selected: 'incus', selectedBy: 'flag', ready: true });
    await expect(bySetting.choose()).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE', message: 'tart is not available.' });
  });

  it('manages a workspace on the server it was created on, whichever one is active now', () => {
    const places: (string | null)[] = [];
    const incus = runtimeDouble('incus', true, {
      at: (location) => {
        places.push(location);
        return incus;
      },
    });
    const registry = new RuntimeRegistry([incus], { platform: 'linux', preferred: () => 'auto' });
    registry.forWorkspace({ runtime: 'incus', location: 'team' });
    registry.forWorkspace({ runtime: 'incus' });
    expect(places).toEqual(['team', null]);
  });
});
