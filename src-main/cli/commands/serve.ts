/** `tidepool serve`: the app in a browser, with the same core, for a computer without a desktop session. */
import type { Command } from 'commander';
import { TidepoolError } from '../../../src-shared/errors.js';
import { createHandlers } from '../../api/handlers.js';
import { attachLocalSocket, localSocketPath } from '../../server/local-socket.js';
import { DEFAULT_PORT, startServer } from '../../server/server.js';
import { rendererIsBuilt } from '../../server/static-files.js';
import { createStandaloneCore } from '../backend.js';
import { openInBrowser } from '../browser.js';
import type { CommandContext } from '../context.js';
import { onInterrupt } from '../interrupt.js';
import { rendererDir } from '../package-root.js';
import { printJson } from '../output.js';
import { parseCount } from '../sizes.js';
import { setupHint } from './doctor.js';
import { examples } from './lifecycle.js';
import type { Run } from './run.js';

interface ServeFlags {
  host: string;
  port: string;
  tlsCert?: string;
  tlsKey?: string;
  open?: boolean;
}

export function registerServe(program: Command, run: Run): void {
  program
    .command('serve')
    .summary('run Tidepool for a browser (headless server)')
    .description(
      'Serve the Tidepool app to a browser, with the same workspaces as the desktop app. It listens on\n' +
        '127.0.0.1 unless told otherwise; any other address needs TLS (your certificate, or a self-signed one\n' +
        'Tidepool makes). Open the printed link once: its token signs the browser in. While it runs, other\n' +
        'tidepool commands go through it.',
    )
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port for the app (each open IDE gets a port of its own)', String(DEFAULT_PORT))
    .option('--tls-cert <file>', 'TLS certificate (PEM); with --tls-key')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--open', 'open the app in the browser')
    .addHelpText(
      'after',
      examples([
        'tidepool serve',
        'tidepool serve --port 8080 --open',
        'tidepool serve --host 0.0.0.0          # self-signed TLS, prints its fingerprint',
        'tidepool serve --host 192.168.1.5 --tls-cert cert.pem --tls-key key.pem',
      ]),
    )
    .action((options: ServeFlags, command: Command) => run(command, (ctx) => serve(ctx, options)));
}

async function serve(ctx: CommandContext, flags: ServeFlags): Promise<number> {
  const port = parseCount(flags.port, '--port');
  if (port > 65535) throw new TidepoolError({ code: 'INVALID_INPUT', message: '--port must be at most 65535.' });
  const core = await createStandaloneCore({
    dataDir: ctx.options.dataDir,
    simulated: ctx.simulated,
    ...(ctx.options.runtime ? { runtime: ctx.options.runtime } : {}),
    keepWarmPool: true,
  });
  const handlers = createHandlers(core);
  let socket;
  try {
    socket = await attachLocalSocket({ socketPath: localSocketPath(ctx.options.dataDir), handlers, events: core.events });
  } catch (error) {
    await core.dispose();
    throw error;
  }
  let server;
  try {
    server = await startServer({
      core,
      handlers,
      host: flags.host,
      port,
      rendererDir: rendererDir(),
      ...(flags.tlsCert !== undefined ? { tlsCert: flags.tlsCert } : {}),
      ...(flags.tlsKey !== undefined ? { tlsKey: flags.tlsKey } : {}),
    });
  } catch (error) {
    await socket.close();
    await core.dispose();
    throw error;
  }
  // Catch up with what happened while nothing was running (as the app does at launch).
  void core.workspaces.reconcile();

  const status = await core.registry.hostStatus(true);
  if (ctx.out.json) {
    printJson(ctx.out, { origin: server.origin, loginUrl: server.loginUrl, tlsFingerprint: server.tls?.fingerprint ?? null, ready: status.ready });
  } else {
    ctx.io.stdout.write(`Tidepool is serving at ${server.origin}/\nOpen this link to sign in: ${server.loginUrl}\n`);
    if (server.tls?.selfSigned) {
      ctx.io.stdout.write(`TLS: self-signed certificate ${server.tls.certPath}\n  SHA-256 fingerprint ${server.tls.fingerprint}\n  (check that your browser shows the same before accepting it)\n`);
    }
    if (ctx.simulated) ctx.io.stdout.write('Runtime: simulated (for development): its workspaces are not real machines.\n');
    if (!status.ready) ctx.io.stdout.write(`No runtime is set up yet; the app explains what to do. In short: ${setupHint(process.platform)}\n`);
    if (!rendererIsBuilt(rendererDir())) ctx.io.stdout.write('The web interface is not built yet: run `npm run build:renderer` (npm start does it).\n');
    ctx.io.stdout.write('Press Ctrl-C to stop.\n');
  }
  if (flags.open && !(await openInBrowser(server.loginUrl))) ctx.note('No browser to open here: copy the link above into one.');

  await new Promise<void>((resolve) => {
    const stop = onInterrupt(() => {
      stop();
      resolve();
    });
  });
  ctx.note('Stopping…');
  if (core.workspaces.progress().length > 0) {
    ctx.note('Waiting for running operations to finish (Ctrl-C again to quit now)…');
    const stopForce = onInterrupt(() => process.exit(130));
    await core.workspaces.drain();
    stopForce();
  }
  await server.close();
  await socket.close();
  await core.dispose();
  return 0;
}
