import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TidepoolError } from '../../../src-shared/errors.js';
import type { OperationContext } from '../runtime.js';
import type { IncusClient } from './incus-client.js';
import { IncusImageBake } from './incus-image-bake.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function script(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tp-bake-'));
  dirs.push(dir);
  const path = join(dir, 'bake.sh');
  writeFileSync(path, `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function recorder(signal = new AbortController().signal): OperationContext & { phases: string[]; lines: string[] } {
  const phases: string[] = [];
  const lines: string[] = [];
  return { signal, phases, lines, progress: (message) => phases.push(message), log: (line) => lines.push(line) };
}

const localClient = async (): Promise<IncusClient> => ({ isRemote: () => false }) as unknown as IncusClient;

describe('IncusImageBake', () => {
  it('turns "==> phase" lines into progress and everything else into log lines', async () => {
    const bake = new IncusImageBake({
      client: localClient,
      isRoot: () => true,
      script: script('echo "==> check"; echo "    image tidepool/0.1.0"; echo "==> import"; echo "args: $*"; echo oops >&2'),
    });
    const ctx = recorder();
    await bake.build(ctx, { force: true });
    expect(ctx.phases).toEqual(['check', 'import']);
    expect(ctx.lines).toEqual(expect.arrayContaining(['    image tidepool/0.1.0', 'args: --force', 'oops']));
  });

  it('fails with the script’s own error line', async () => {
    const bake = new IncusImageBake({
      client: localClient,
      isRoot: () => true,
      script: script('echo "==> debootstrap"; echo "bake.sh: ERROR: debootstrap failed (see log)" >&2; exit 1'),
    });
    const error = (await bake.build(recorder(), { force: false }).catch((caught: unknown) => caught)) as TidepoolError;
    expect(error.code).toBe('RUNTIME_ERROR');
    expect(error.message).toBe('Baking the Incus image failed: debootstrap failed (see log)');
    expect(error.detail).toMatch(/exit 1/);
  });

  it('asks for root instead of failing halfway', async () => {
    const bake = new IncusImageBake({ client: localClient, isRoot: () => false, script: '/nonexistent/bake.sh' });
    const error = (await bake.build(recorder(), { force: false }).catch((caught: unknown) => caught)) as TidepoolError;
    expect(error.code).toBe('RUNTIME_NOT_SET_UP');
    expect(error.hint).toBe('Run `sudo /nonexistent/bake.sh` once in a terminal, then check again.');
  });

  it('stops the script when cancelled', async () => {
    const bake = new IncusImageBake({ client: localClient, isRoot: () => true, script: script('echo "==> stage"; sleep 30') });
    const controller = new AbortController();
    const ctx = recorder(controller.signal);
    const started = Date.now();
    const pending = bake.build(ctx, { force: false });
    await expect.poll(() => ctx.phases).toEqual(['stage']);
    controller.abort();
    const error = (await pending.catch((caught: unknown) => caught)) as TidepoolError;
    expect(error.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
