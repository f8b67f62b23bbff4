/**
 * Quitting: workspaces still running are stopped or left running as the user chooses (asked, unless they
 * told us to remember). Left running, they are found again and reattached by reconcile at the next launch.
 * Then the core closes its connections and tunnels before the process exits.
 */
import { app, dialog, type BrowserWindow } from 'electron';
import type { Core } from '../core.js';
import { quitAnswer, quitPlan, quitQuestion, runningWorkspaces } from './quit-plan.js';

/** Stopping waits this long at most; a workspace still going down is reconciled at the next launch. */
const STOP_WAIT_MS = 90_000;
const DISPOSE_WAIT_MS = 10_000;

const within = (ms: number, work: Promise<unknown>) =>
  Promise.race([work, new Promise((resolve) => setTimeout(resolve, ms).unref())]);

export function handleQuit(core: Core, window: () => BrowserWindow | null, beforeExit: () => Promise<void>): void {
  let phase: 'running' | 'deciding' | 'done' = 'running';
  app.on('before-quit', (event) => {
    if (phase === 'done') return;
    event.preventDefault();
    if (phase === 'deciding') return;
    phase = 'deciding';
    void prepare(core, window())
      .then(async (proceed) => {
        if (!proceed) {
          phase = 'running';
          return;
        }
        await within(DISPOSE_WAIT_MS, beforeExit().then(() => core.dispose()));
        phase = 'done';
        app.quit();
      })
      .catch(() => {
        phase = 'done';
        app.quit();
      });
  });
}

/** False when the user cancelled. */
async function prepare(core: Core, window: BrowserWindow | null): Promise<boolean> {
  const running = runningWorkspaces(core.workspaces.list());
  const plan = quitPlan(core.settings.get().quitBehaviour, running);
  if (plan.kind === 'quit') return true;
  let ids = plan.kind === 'stop' ? plan.ids : running.map((workspace) => workspace.id);
  if (plan.kind === 'ask') {
    const question = quitQuestion(running);
    const options = { type: 'question' as const, ...question };
    const { response, checkboxChecked } = window ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
    const answer = quitAnswer(response, checkboxChecked);
    if (answer.kind === 'cancel') return false;
    if (answer.remember) core.settings.update({ quitBehaviour: answer.kind });
    if (answer.kind === 'leave-running') return true;
    ids = running.map((workspace) => workspace.id);
  }
  await within(
    STOP_WAIT_MS,
    Promise.all(
      ids.map(async (id) => {
        // One still starting is stopped once its start settles (a second operation would be refused as busy).
        await core.workspaces.settled(id);
        if (core.workspaces.get(id).state === 'ready') await core.workspaces.stop(id);
        await core.workspaces.settled(id);
      }).map((stopping) => stopping.catch(() => undefined)),
    ),
  );
  return true;
}
