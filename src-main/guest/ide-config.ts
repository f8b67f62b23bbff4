/**
 * code-server inside the workspace: writes its config and the workspace's editor settings over SSH,
 * restarts it when its config changed (or it is not running), and waits until it answers on
 * 127.0.0.1:<port> in the guest. The image runs it as the systemd unit `code-server.service` as `dev`.
 */
import type { Client } from 'ssh2';
import { TidepoolError } from '../../src-shared/errors.js';
import type { OperationContext } from '../runtimes/runtime.js';
import { sleep, throwIfAborted } from '../util/abort.js';
import type { GuestConnection } from './connection-manager.js';
import { execInGuest, shellQuote } from './guest-exec.js';

export interface IdeSettings {
  /** code-server's port on the guest's 127.0.0.1 (the image binds 13337). */
  port: number;
  /** The guest user's home folder; config and settings live under it. */
  home: string;
  /** Exit status 0 when code-server is running. */
  isRunningCommand: string;
  restartCommand: string;
  /** Recent output of code-server, quoted when it does not come up. */
  logsCommand: string;
  /** How long to wait for code-server to answer. */
  startTimeoutMs: number;
}

export const IMAGE_IDE: Omit<IdeSettings, 'home'> = {
  port: 13337,
  isRunningCommand: 'systemctl is-active --quiet code-server.service',
  restartCommand: 'sudo -n systemctl restart code-server.service',
  logsCommand: 'journalctl -u code-server.service -n 20 --no-pager 2>&1 || sudo -n systemctl status code-server.service --no-pager 2>&1',
  startTimeoutMs: 60_000,
};

export function ideConfigPath(home: string): string {
  return `${home}/.config/code-server/config.yaml`;
}

export function ideSettingsPath(home: string): string {
  return `${home}/.local/share/code-server/User/settings.json`;
}

/** The config code-server reads at start; the unit's flags say the same, this keeps a manual start safe. */
export function ideConfigText(port: number): string {
  return [
    '# Managed by Tidepool: rewritten on every start of the workspace.',
    `bind-addr: 127.0.0.1:${port}`,
    // No password: only the guest's 127.0.0.1 is bound and the way in is Tidepool's SSH tunnel.
    'auth: none',
    'cert: false',
    '',
  ].join('\n');
}

function settingsOf(yaml: string): string {
  return yaml
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .join('\n');
}

/** Editor settings that belong to this workspace; every other setting stays as the user left it. */
export function workspaceIdeSettings(workspaceName: string): Record<string, unknown> {
  return {
    'window.title': `\${dirty}\${activeEditorShort}\${separator}\${rootName}\${separator}${workspaceName}`,
  };
}

export async function configureIde(
  connection: GuestConnection,
  ide: IdeSettings,
  workspaceName: string,
  ctx: OperationContext,
): Promise<{ restarted: boolean }> {
  const client = await connection.ready();
  const configPath = ideConfigPath(ide.home);
  const settingsPath = ideSettingsPath(ide.home);
  // One round trip for everything configure needs to know; on most starts nothing else runs.
  const current = await readIdeState(client, [configPath, settingsPath], ide.isRunningCommand, ctx.signal);
  const wantedConfig = ideConfigText(ide.port);
  // Compared without comments: the image's own config says the same, and restarting for a comment wastes a second.
  const configChanged = current.files[0] === null || settingsOf(current.files[0]) !== settingsOf(wantedConfig);
  if (configChanged) await writeGuestFile(client, configPath, wantedConfig, ctx.signal);

  const settingsText = current.files[1] ?? null;
  const merged = mergeSettings(settingsText, workspaceIdeSettings(workspaceName));
  if (merged === null) {
    ctx.log(`left ${settingsPath} as it is: it is not plain JSON (comments?), so Tidepool could not add the workspace's settings`, 'warn');
  } else if (merged !== settingsText) {
    await writeGuestFile(client, settingsPath, merged, ctx.signal);
  }

  if (!configChanged && current.running) return { restarted: false };
  ctx.progress('Restarting the IDE');
  await restartIde(client, ide, workspaceName, ctx.signal);
  return { restarted: true };
}

export async function restartIde(client: Client, ide: IdeSettings, workspaceName: string, signal: AbortSignal): Promise<void> {
  const restart = await execInGuest(client, ide.restartCommand, { signal });
  if (restart.code !== 0) {
    throw new TidepoolError({
      code: 'RUNTIME_ERROR',
      message: `The IDE in “${workspaceName}” could not be restarted.`,
      hint: 'Open a terminal in the workspace and run `sudo systemctl status code-server` to see why.',
      detail: `${ide.restartCommand}: exit ${restart.code}: ${(restart.stderr || restart.stdout).trim()}`,
    });
  }
}

/** Waits until code-server answers its health check in the guest. */
export async function waitForIde(
  connection: GuestConnection,
  ide: IdeSettings,
  workspaceName: string,
  ctx: OperationContext,
): Promise<void> {
  const deadline = Date.now() + ide.startTimeoutMs;
  let lastProblem = 'no answer';
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    throwIfAborted(ctx.signal);
    const problem = await ideProblem(await connection.ready(), ide.port);
    if (problem === null) return;
    lastProblem = problem;
    if (Date.now() + delay > deadline) break;
    await sleep(delay, ctx.signal);
  }
  const client = await connection.ready();
  const logs = await execInGuest(client, ide.logsCommand, { signal: ctx.signal }).catch(() => null);
  throw new TidepoolError({
    code: 'TIMEOUT',
    message: `The IDE in “${workspaceName}” did not start within ${Math.round(ide.startTimeoutMs / 1000)} s.`,
    hint: 'Open a terminal in the workspace and run `sudo systemctl status code-server`, or stop and start the workspace.',
    detail: [`last check: ${lastProblem}`, logs?.stdout.trim()].filter(Boolean).join('\n'),
  });
}

/** One health check of code-server through the SSH connection: null when it answers, else what is wrong. */
export async function ideProblem(client: Client, port: number): Promise<string | null> {
  try {
    const status = await probeIde(client, port);
    return status < 500 ? null : `HTTP ${status}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** GET /healthz on code-server through the SSH connection; resolves with the HTTP status. */
function probeIde(client: Client, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (error, stream) => {
      if (error) {
        reject(error);
        return;
      }
      let head = '';
      let finished = false;
      const finish = (outcome: number | Error): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        stream.close();
        if (typeof outcome === 'number') resolve(outcome);
        else reject(outcome);
      };
      const timer = setTimeout(() => finish(new Error('no HTTP answer within 5 s')), 5_000);
      stream.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        const line = head.split('\r\n', 1)[0]!;
        if (head.includes('\r\n')) {
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(line);
          finish(status ? Number(status[1]) : new Error(`not an HTTP answer: ${line.slice(0, 80)}`));
        }
      });
      stream.on('close', () => finish(new Error('closed without an HTTP answer')));
      stream.on('error', (problem: Error) => finish(problem));
      stream.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    });
  });
}

/** Adds `ours` to the settings JSON; null when the file is not plain JSON (the user's JSONC is left alone). */
export function mergeSettings(current: string | null, ours: Record<string, unknown>): string | null {
  let settings: Record<string, unknown> = {};
  if (current !== null && current.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(current);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
      settings = parsed as Record<string, unknown>;
    } catch {
      return null;
    }
  }
  const unchanged = Object.entries(ours).every(([key, value]) => JSON.stringify(settings[key]) === JSON.stringify(value));
  if (unchanged && current !== null) return current;
  return `${JSON.stringify({ ...settings, ...ours }, null, 2)}\n`;
}

/** The files' contents (null when missing) and whether code-server runs, from one command in the guest. */
async function readIdeState(
  client: Client,
  paths: string[],
  isRunningCommand: string,
  signal: AbortSignal,
): Promise<{ files: (string | null)[]; running: boolean }> {
  const reads = paths.map((path) => `if [ -f ${shellQuote(path)} ]; then printf F; base64 < ${shellQuote(path)} | tr -d '\\n'; fi; echo`);
  const command = `${reads.join('; ')}; if ${isRunningCommand}; then echo running; else echo stopped; fi`;
  const result = await execInGuest(client, command, { signal });
  const lines = result.stdout.split('\n');
  if (result.code !== 0 || lines.length < paths.length + 1) {
    throw new TidepoolError({
      code: 'RUNTIME_ERROR',
      message: 'Tidepool could not read the IDE’s configuration in the workspace.',
      detail: `exit ${result.code}: ${result.stderr.trim()}`,
    });
  }
  const files = paths.map((_path, index) => {
    const line = lines[index]!;
    return line.startsWith('F') ? Buffer.from(line.slice(1), 'base64').toString('utf8') : null;
  });
  return { files, running: lines[paths.length] === 'running' };
}

/** Replaces a file as the guest user (so it stays theirs) via a temporary file in the same folder. */
async function writeGuestFile(client: Client, path: string, text: string, signal: AbortSignal): Promise<void> {
  const folder = path.slice(0, path.lastIndexOf('/'));
  const temporary = `${path}.tidepool-new`;
  const command = `umask 022 && mkdir -p ${shellQuote(folder)} && cat > ${shellQuote(temporary)} && mv -f ${shellQuote(temporary)} ${shellQuote(path)}`;
  const result = await execInGuest(client, command, { stdin: text, signal });
  if (result.code !== 0) {
    throw new TidepoolError({
      code: 'RUNTIME_ERROR',
      message: `Tidepool could not write ${path} in the workspace.`,
      hint: 'The workspace’s disk may be full; open a terminal in it and check with `df -h`.',
      detail: result.stderr.trim(),
    });
  }
}
