/**
 * Section "ui": WebSocket round trips of listWorkspaces against `tidepool serve`'s server (a child process,
 * 10 and 500 simulated workspaces), and the renderer's time to show 500 workspaces in the sidebar.
 */
import type { BenchContext } from './context.js';
import { timeToRows } from './renderer-list.js';
import { startUiServer, type UiServer } from './ui-server-process.js';
import { listRoundTrips } from './ws-roundtrip.js';

export async function measureUi(ctx: BenchContext): Promise<void> {
  const servers: UiServer[] = [];
  try {
    const small = await startUiServer(10);
    servers.push(small);
    const large = await startUiServer(ctx.options.listSize);
    servers.push(large);
    const group = 'UI (tidepool serve on the simulated runtime)';
    await ctx.eachRun(async (run) => {
      for (const server of [small, large]) {
        const trips = await listRoundTrips(server, ctx.options.apiCalls);
        const label = `listWorkspaces round trip, ${server.workspaces} workspaces`;
        ctx.figures.add(`ui.rtt.${server.workspaces}.p50`, group, `${label}: p50`, 'ms', trips.p50, `${ctx.options.apiCalls} sequential calls over one WebSocket per run`);
        ctx.figures.add(`ui.rtt.${server.workspaces}.p99`, group, `${label}: p99`, 'ms', trips.p99);
      }
      const ms = await timeToRows(ctx.browser, large, ctx.options.listSize);
      ctx.figures.add('ui.list', group, `renderer: navigation → ${ctx.options.listSize} sidebar rows`, 'ms', ms, 'cold load in a fresh Chromium context');
      ctx.log(`run ${run}: ${ctx.options.listSize} rows after ${ms.toFixed(0)} ms`);
    });
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
