/** WebSocket round trips of `listWorkspaces` against the server, as the browser's client makes them. */
import { connectApi } from '../src-main/server/testing/api-client.js';
import { percentile } from './stats.js';
import type { UiServer } from './ui-server-process.js';

export async function listRoundTrips(server: UiServer, calls: number): Promise<{ p50: number; p99: number }> {
  const api = await connectApi(`${server.origin.replace(/^http/, 'ws')}/api`, { Authorization: `Bearer ${server.token}`, Origin: server.origin });
  try {
    const times: number[] = [];
    for (let call = 0; call < calls + 50; call += 1) {
      const started = performance.now();
      const result = await api.call('listWorkspaces', {});
      const ms = performance.now() - started;
      if (!result.ok) throw new Error(`listWorkspaces failed: ${JSON.stringify(result)}`);
      // The first 50 warm up the connection and the JIT.
      if (call >= 50) times.push(ms);
    }
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    api.close();
  }
}
