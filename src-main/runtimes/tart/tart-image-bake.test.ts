import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TidepoolError } from '../../../src-shared/errors.js';
import { loadOrCreateSshKey } from '../../guest/ssh-key.js';
import { DEFAULT_SETTINGS } from '../../settings.js';
import type { OperationContext } from '../runtime.js';
import type { BakeSession } from './bake-ssh.js';
import { makeFakeTart, makeImagesDir, type FakeTart } from './fake-tart/fake-tart-home.js';
import { loadRecipe } from './recipe.js';
import { TartImageBake } from './tart-image-bake.js';
import { TartRuntime } from './tart-runtime.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

interface GuestDouble {
  commands: string[];
  uploads: Map<string, string>;
  addresses: string[];
  /** Exit code per command, by a substring of it. */
  failing: Map<string, number>;
}

function setup() {
  const fake = makeFakeTart();
  const dataDir = mkdtempSync(join(tmpdir(), 'tidepool-tart-bake-'));
  const imagesDir = makeImagesDir('0.1.0', 'ghcr.io/cirruslabs/debian:trixie');
  cleanups.push(() => {
    fake.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(imagesDir, { recursive: true, force: true });
  });
  const settings = { ...DEFAULT_SETTINGS, tart: { home: fake.home } };
  const runtime = new TartRuntime({
    dataDir,
    settings: () => settings,
    platform: 'linux',
    basePath: fake.path,
    env: { HOME: dataDir },
    imagesDir,
    timings: { pollMs: 50, bootMs: 5000, hardStopSeconds: 2, settleMs: 300 },
  });
  const guest: GuestDouble = { commands: [], uploads: new Map(), addresses: [], failing: new Map() };
  // Stands in for the build VM's sshd; `poweroff` makes the fake `tart run` end as a guest shutdown would.
  const connect = async (address: string): Promise<BakeSession> => {
    guest.addresses.push(address);
    return {
      exec: async (command) => {
        guest.commands.push(command);
        if (command.includes('poweroff')) {
          const pid = fake.runPid('tidepool-build-0.1.0');
          if (pid) process.kill(pid, 'SIGUSR2');
          return { code: null, tail: '' };
        }
        const failing = [...guest.failing].find(([part]) => command.includes(part));
        return failing ? { code: failing[1], tail: 'provision: ERROR: npm install failed' } : { code: 0, tail: '' };
      },
      upload: async (path, content) => {
        guest.uploads.set(path, content.toString());
      },
      close: () => undefined,
    };
  };
  const bake = new TartImageBake({ runtime, dataDir, connect, timeouts: { addressMs: 5000, shutdownMs: 5000 } });
  const lines: string[] = [];
  const progress: string[] = [];
  const ctx: OperationContext = { signal: new AbortController().signal, progress: (p) => progress.push(p), log: (line) => lines.push(line) };
  return { fake, runtime, bake, guest, ctx, lines, progress, dataDir, hash: loadRecipe(imagesDir).hash };
}

const calls = (fake: FakeTart, ...commands: string[]) => fake.argvs().filter((argv) => commands.includes(argv[0]!));

describe('TartImageBake on the fake tart', () => {
  it('clones the pinned base, boots it, provisions over SSH and keeps it as tidepool-<version>', async () => {
    const { fake, bake, guest, ctx, dataDir, hash } = setup();
    await bake.build(ctx, { force: false });

    expect(calls(fake, 'clone', 'set', 'run', 'ip', 'stop', 'delete', 'rename')).toEqual([
      ['clone', 'ghcr.io/cirruslabs/debian:trixie', 'tidepool-build-0.1.0'],
      ['set', 'tidepool-build-0.1.0', '--cpu', '4', '--memory', '4096', '--random-mac'],
      ['run', 'tidepool-build-0.1.0', '--no-graphics'],
      ['ip', 'tidepool-build-0.1.0', '--wait', '5'],
      ['rename', 'tidepool-build-0.1.0', 'tidepool-0.1.0'],
    ]);
    // Auto-pruning stays on only for the pull of the base image.
    const clone = fake.invocations().find((invocation) => invocation.argv[0] === 'clone')!;
    expect(clone.env.TART_NO_AUTO_PRUNE).toBeNull();
    expect(guest.addresses).toEqual([expect.stringMatching(/^192\.168\.64\.\d+$/)]);

    expect([...guest.uploads.keys()]).toEqual([
      '/tmp/tidepool-recipe/provision.sh',
      '/tmp/tidepool-recipe/versions.env',
      '/tmp/tidepool-recipe/authorized_keys',
    ]);
    expect(guest.uploads.get('/tmp/tidepool-recipe/authorized_keys')).toBe(`${loadOrCreateSshKey(dataDir).publicKey}\n`);
    expect(guest.commands).toEqual([
      'rm -rf /tmp/tidepool-recipe && mkdir -p /tmp/tidepool-recipe',
      `sudo env TIDEPOOL_STAGE_MODE=npm TIDEPOOL_RECIPE_HASH=${hash} bash /tmp/tidepool-recipe/provision.sh`,
      'sudo install -m 0600 -o dev -g dev /tmp/tidepool-recipe/authorized_keys /home/dev/.ssh/authorized_keys',
      expect.stringMatching(/^sudo passwd -l admin && .*ssh_pwauth: false/),
      `sudo env TIDEPOOL_FINALIZE=1 TIDEPOOL_STAGE_MODE=npm TIDEPOOL_RECIPE_HASH=${hash} bash /tmp/tidepool-recipe/provision.sh && sudo rm -rf /tmp/tidepool-recipe`,
      'sudo systemctl poweroff',
    ]);

    expect((await bake.list()).map((image) => [image.ref, image.version, image.current])).toEqual([['tidepool-0.1.0', '0.1.0', true]]);
    expect(fake.tart('get', 'tidepool-build-0.1.0').status).toBe(2);
  });

  it('skips an up-to-date image and rebuilds it when forced', async () => {
    const { fake, bake, ctx, lines } = setup();
    await bake.build(ctx, { force: false });
    fake.clearInvocations();
    await bake.build(ctx, { force: false });
    expect(calls(fake, 'clone')).toEqual([]);
    expect(lines.join('\n')).toContain('tidepool-0.1.0 is up to date');
    await bake.build(ctx, { force: true });
    expect(calls(fake, 'clone', 'delete', 'rename')).toEqual([
      ['clone', 'ghcr.io/cirruslabs/debian:trixie', 'tidepool-build-0.1.0'],
      ['delete', 'tidepool-0.1.0'],
      ['rename', 'tidepool-build-0.1.0', 'tidepool-0.1.0'],
    ]);
  });

  it('removes the build VM and keeps no image when the recipe fails', async () => {
    const { fake, bake, guest, ctx } = setup();
    guest.failing.set('provision.sh', 1);
    const error = await bake.build(ctx, { force: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TidepoolError);
    expect((error as TidepoolError).message).toBe('The image recipe failed in the build VM while provisioning.');
    expect((error as TidepoolError).detail).toContain('npm install failed');
    expect(fake.tart('list', '--source', 'local', '--format', 'json').stdout.trim()).toBe('[]');
    expect(fake.runPid('tidepool-build-0.1.0')).toBeNull();
  });

  it('reports a base image the registry does not have', async () => {
    const { fake, bake, ctx } = setup();
    fake.control({ fail: { pull: 'not-found' } });
    const error = (await bake.build(ctx, { force: false }).catch((caught: unknown) => caught)) as TidepoolError;
    expect(error.code).toBe('RUNTIME_ERROR');
    expect(error.message).toBe('A download from the image registry failed, so Tart could not pull the base image ghcr.io/cirruslabs/debian:trixie.');
    expect(error.detail).toContain('code: 404');
  });
});
