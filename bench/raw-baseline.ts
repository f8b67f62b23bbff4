/**
 * The overhead baseline: the same work as "create → IDE ready" done with the runtime alone. Launch the
 * image directly, wait for an address, open `ssh -L` to code-server, load the workbench in the same Chromium.
 */
import type { Browser } from 'playwright-core';
import { loadWorkbench, withFreshContext } from './browser.js';
import type { DirectRuntime } from './direct-runtime.js';
import { forwardIde, type KeyPair } from './ssh-forward.js';

export interface RawRun {
  /** Milliseconds from the launch call, per step, and in total. */
  launchMs: number;
  addressMs: number;
  sshIdeMs: number;
  workbenchMs: number;
  totalMs: number;
  deleteMs: number;
}

export async function rawCreateToIde(direct: DirectRuntime, browser: Browser, name: string, key: KeyPair): Promise<RawRun> {
  const started = performance.now();
  const lap = (() => {
    let last = started;
    return (): number => {
      const now = performance.now();
      const ms = now - last;
      last = now;
      return ms;
    };
  })();
  let forward: { close(): void } | null = null;
  try {
    await direct.launch(name, key.publicKey);
    const launchMs = lap();
    const address = await direct.address(name, 120_000);
    const addressMs = lap();
    const opened = await forwardIde(address, key, 120_000);
    forward = opened;
    const sshIdeMs = lap();
    await withFreshContext(browser, (context) => loadWorkbench(context, `http://127.0.0.1:${opened.localPort}/`));
    const workbenchMs = lap();
    const totalMs = performance.now() - started;
    forward.close();
    forward = null;
    const deleteStarted = performance.now();
    await direct.remove(name);
    return { launchMs, addressMs, sshIdeMs, workbenchMs, totalMs, deleteMs: performance.now() - deleteStarted };
  } catch (error) {
    forward?.close();
    await direct.remove(name).catch(() => undefined);
    throw error;
  }
}
