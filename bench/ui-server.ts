/**
 * Child process of the UI figures: `tidepool serve`'s server (startServer) over a core with N simulated
 * workspaces, on a free loopback port. Prints one JSON line (origin, token, session cookie), then serves
 * until its stdin closes.
 */
import { fileURLToPath } from 'node:url';
import { SESSION_COOKIE } from '../src-shared/transport.js';
import { derive } from '../src-main/server/auth.js';
import { startServer } from '../src-main/server/server.js';
import { simulatedCore } from './simulated-core.js';

const count = Number(process.argv[2] ?? '0');
const rendererDir = fileURLToPath(new URL('../out/renderer/', import.meta.url));
const core = await simulatedCore(count);
const server = await startServer({ core, port: 0, rendererDir });
process.stdout.write(
  `${JSON.stringify({ origin: server.origin, token: server.token, cookie: { name: SESSION_COOKIE, value: derive(server.token, 'session') }, workspaces: core.workspaces.list().length })}\n`,
);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => core.dispose()).then(() => process.exit(0));
});
