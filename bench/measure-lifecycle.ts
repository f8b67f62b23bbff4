/**
 * Section "lifecycle": per run, create → IDE ready through Tidepool and the same work with the runtime
 * alone (alternating which goes first, so load drift hits both), then stop, start → IDE ready, stop and
 * delete of the Tidepool workspace. With the cost section, the workspace's idle cost after its IDE was
 * opened is sampled too.
 */
import type { BrowserContext } from 'playwright-core';
import type { OperationStep } from '../src-shared/workspace.js';
import type { BenchContext } from './context.js';
import { createToIde, startToIde, timed, type IdeRun } from './lifecycle.js';
import { rawCreateToIde, type RawRun } from './raw-baseline.js';
import { makeKeyPair, type KeyPair } from './ssh-forward.js';
import { StepTimer } from './step-timer.js';
import { recordCost } from './record-cost.js';
import { idleCosts } from './workspace-cost.js';

const STEP_LABELS: Record<string, string> = {
  provision: 'provision (clone the image)',
  boot: 'boot',
  address: 'address (+ network policy)',
  ssh: 'ssh (sshd up, connected)',
  configure: 'configure',
  ide: 'ide (code-server answers)',
};

export const CREATE = 'Create → IDE ready, through Tidepool';
export const START = 'Start → IDE ready (stopped workspace), through Tidepool';

export function recordIdeRun(ctx: BenchContext, kind: 'create' | 'start' | 'warm', group: string, run: IdeRun): void {
  const { figures } = ctx;
  if (kind !== 'start') figures.add(`${kind}.request`, group, 'request (checks before the first step)', 'ms', run.requestMs);
  for (const [step, ms] of Object.entries(run.steps) as [OperationStep, number][]) {
    const label = kind === 'warm' && step === 'provision' ? 'provision (claim the warm instance)' : (STEP_LABELS[step] ?? step);
    figures.add(`${kind}.step.${step}`, group, label, 'ms', ms);
  }
  figures.add(`${kind}.ready`, group, 'until the core reports ready', 'ms', run.readyMs);
  figures.add(`${kind}.workbench`, group, 'then the workbench loads in Chromium', 'ms', run.workbenchMs, 'includes the open call and the whole VS Code page load');
  figures.add(`${kind}.total`, group, `${kind === 'warm' ? 'create' : kind} → IDE ready`, 'ms', run.totalMs);
}

function recordRaw(ctx: BenchContext, raw: RawRun): void {
  const group = `Runtime alone (${ctx.runtime} + ssh -L + the same Chromium)`;
  ctx.figures.add('raw.launch', group, 'launch (create + start)', 'ms', raw.launchMs);
  ctx.figures.add('raw.address', group, 'address', 'ms', raw.addressMs);
  ctx.figures.add('raw.sshIde', group, 'ssh -L up and code-server answers', 'ms', raw.sshIdeMs);
  ctx.figures.add('raw.ready', group, 'until code-server answers', 'ms', raw.launchMs + raw.addressMs + raw.sshIdeMs);
  ctx.figures.add('raw.workbench', group, 'then the workbench loads', 'ms', raw.workbenchMs);
  ctx.figures.add('raw.total', group, 'launch → IDE ready', 'ms', raw.totalMs);
  ctx.figures.add('raw.delete', group, 'delete (force stop + delete)', 'ms', raw.deleteMs);
}

async function measureRun(ctx: BenchContext, run: number, timer: StepTimer, session: BrowserContext, key: KeyPair | null): Promise<void> {
  const { core, browser, direct, figures, options } = ctx;
  let raw: RawRun | null = null;
  let created: IdeRun | null = null;
  const rawStep = async (): Promise<void> => {
    if (!direct || !key) return;
    raw = await rawCreateToIde(direct, browser, `${ctx.prefix}-raw${run}`, key);
    recordRaw(ctx, raw);
    ctx.log(`run ${run}: runtime alone ${(raw.totalMs / 1000).toFixed(2)} s`);
  };
  const tidepoolStep = async (): Promise<void> => {
    created = await createToIde(core, timer, session, `${ctx.prefix}-c${run}`, ctx.runtime);
    recordIdeRun(ctx, 'create', CREATE, created);
    ctx.log(`run ${run}: Tidepool create → IDE ready ${(created.totalMs / 1000).toFixed(2)} s`);
  };
  for (const step of run % 2 === 1 ? [rawStep, tidepoolStep] : [tidepoolStep, rawStep]) await step();
  const made = created as IdeRun | null;
  if (!made) return;
  const measuredRaw = raw as RawRun | null;
  if (measuredRaw) {
    const group = 'Overhead: Tidepool / runtime alone (same run)';
    figures.add('overhead.ratio', group, 'create → IDE ready', 'ratio', made.totalMs / measuredRaw.totalMs);
    figures.add('overhead.ready', group, 'until code-server answers', 'ratio', made.readyMs / (measuredRaw.launchMs + measuredRaw.addressMs + measuredRaw.sshIdeMs));
  }
  const id = made.workspaceId;
  if (options.sections.includes('cost') && direct?.idleCost) {
    const [cost] = await idleCosts(direct, [core.workspaces.get(id).instanceName], options.settleMs, options.cpuWindowMs);
    recordCost(ctx, 'opened', cost!);
  }
  const group = 'Stop and delete, through Tidepool';
  figures.add('stop', group, 'stop (ready → stopped)', 'ms', await timed(core, id, 'stop'));
  const started = await startToIde(core, timer, session, id);
  recordIdeRun(ctx, 'start', START, started);
  ctx.log(`run ${run}: Tidepool start → IDE ready ${(started.totalMs / 1000).toFixed(2)} s`);
  figures.add('stop', group, 'stop (ready → stopped)', 'ms', await timed(core, id, 'stop'));
  figures.add('delete', group, 'delete (stopped → gone)', 'ms', await timed(core, id, 'delete'));
}

export async function measureLifecycle(ctx: BenchContext): Promise<void> {
  const { core, browser, direct } = ctx;
  const timer = new StepTimer(core.events);
  const key = direct ? await makeKeyPair() : null;
  try {
    await ctx.eachRun(async (run) => {
      // The workspace's own browser session: empty for create, its cache kept for start (as in the app).
      const session = await browser.newContext();
      try {
        await measureRun(ctx, run, timer, session, key);
      } finally {
        await session.close();
      }
    });
  } finally {
    timer.dispose();
  }
}
