import { describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { createRuntimes } from '../available.js';
import { DEFAULT_SETTINGS } from '../../settings.js';
import { simulatedFailureFromEnv } from './failure-from-env.js';
import { SimulatedRuntime } from './simulated-runtime.js';

const quiet = { log: () => undefined, progress: () => undefined, signal: new AbortController().signal };

describe('TIDEPOOL_SIMULATED_FAIL', () => {
  it('is off when unset or empty', () => {
    expect(simulatedFailureFromEnv(undefined)).toBeNull();
    expect(simulatedFailureFromEnv('')).toBeNull();
  });

  it('keeps the text after the first colon verbatim as the runtime’s own words', () => {
    const parsed = simulatedFailureFromEnv('start:Error: Failed to run: forkstart: exit status 1');
    expect(parsed?.op).toBe('start');
    expect(parsed?.failure).toMatchObject({ kind: 'error', detail: 'Error: Failed to run: forkstart: exit status 1' });
  });

  it('names the operation when no text is given', () => {
    expect(simulatedFailureFromEnv('create')?.failure).toMatchObject({ detail: 'simulated create failure' });
  });

  it('refuses an operation the simulated runtime does not have, naming the ones it has', () => {
    const attempt = () => simulatedFailureFromEnv('boot:nope');
    expect(attempt).toThrow(TidepoolError);
    expect(attempt).toThrow(/“boot”/);
  });

  it('makes every call of that operation fail in the runtime Tidepool builds', async () => {
    const simulated = new SimulatedRuntime({ delays: { create: 0, start: 0 } });
    const previous = process.env.TIDEPOOL_SIMULATED_FAIL;
    process.env.TIDEPOOL_SIMULATED_FAIL = 'start:no space left on device';
    try {
      createRuntimes({ dataDir: '/nonexistent', platform: 'other', settings: () => DEFAULT_SETTINGS, simulated });
    } finally {
      if (previous === undefined) delete process.env.TIDEPOOL_SIMULATED_FAIL;
      else process.env.TIDEPOOL_SIMULATED_FAIL = previous;
    }
    await simulated.create(
      {
        instanceName: 'tp-a',
        workspaceId: 'a',
        workspaceName: 'a',
        kind: 'container',
        image: 'tidepool/simulated',
        resources: { cpus: 1, memoryMiB: 1024, diskGiB: 5 },
        network: { mode: 'isolated' },
        sshPublicKey: 'ssh-ed25519 AAAA test',
      },
      quiet,
    );
    for (let attempt = 0; attempt < 2; attempt++) {
      const failure = await simulated.start('tp-a', quiet).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TidepoolError);
      expect(failure).toMatchObject({ code: 'RUNTIME_ERROR', detail: 'no space left on device' });
    }
  });
});
