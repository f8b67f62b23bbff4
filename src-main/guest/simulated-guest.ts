/**
 * The guest side of the simulated runtime: a local page standing in for the IDE (it says plainly that it is
 * simulated) and a line-echo terminal. Nothing here touches a real machine.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TidepoolError } from '../../src-shared/errors.js';
import type { ForwardedPort, GuestPort, SshInfo } from '../../src-shared/workspace.js';
import { sleep } from '../util/abort.js';
import type { AttachResult, GuestAccess, GuestContext, GuestTarget, TerminalHandlers } from './guest-access.js';

interface SimulatedTerminal {
  workspaceId: string;
  handlers: TerminalHandlers;
  line: string;
}

export class SimulatedGuest implements GuestAccess {
  private readonly pages = new Map<string, { server: Server; port: number }>();
  private readonly terminals = new Map<string, SimulatedTerminal>();
  private readonly forwards = new Map<string, ForwardedPort[]>();

  constructor(private readonly stepDelayMs = 150) {}

  async attach(target: GuestTarget, ctx: GuestContext): Promise<AttachResult> {
    for (const step of ['ssh', 'configure', 'ide'] as const) {
      ctx.step(step);
      await sleep(this.stepDelayMs, ctx.signal);
    }
    const existing = this.pages.get(target.workspaceId);
    if (existing) return { idePort: existing.port };
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<!doctype html><title>${target.name} (simulated)</title><body style="font-family:system-ui;padding:2rem">` +
          `<h1>${target.name}</h1><p>This workspace runs on the <strong>simulated</strong> runtime: ` +
          `there is no VM and no IDE behind it.</p></body>`,
      );
    });
    const port = await listen(server, target.preferredIdePort);
    this.pages.set(target.workspaceId, { server, port });
    return { idePort: port };
  }

  isAttached(workspaceId: string): boolean {
    return this.pages.has(workspaceId);
  }

  ideUrl(workspaceId: string): string {
    const page = this.pages.get(workspaceId);
    if (!page) throw notAttached();
    return `http://127.0.0.1:${page.port}/`;
  }

  async detach(workspaceId: string): Promise<void> {
    const page = this.pages.get(workspaceId);
    this.pages.delete(workspaceId);
    this.forwards.delete(workspaceId);
    for (const [id, terminal] of this.terminals) {
      if (terminal.workspaceId === workspaceId) {
        this.terminals.delete(id);
        terminal.handlers.onExit(null);
      }
    }
    if (page) await new Promise<void>((resolve) => page.server.close(() => resolve()));
  }

  async forget(): Promise<void> {}

  async openTerminal(workspaceId: string, _size: { cols: number; rows: number }, handlers: TerminalHandlers): Promise<string> {
    if (!this.pages.has(workspaceId)) throw notAttached();
    const id = randomUUID();
    this.terminals.set(id, { workspaceId, handlers, line: '' });
    // The caller learns the id from our return value: the first prompt must come after that.
    setImmediate(() => handlers.onData('simulated$ '));
    return id;
  }

  writeTerminal(terminalId: string, data: string): void {
    const terminal = this.terminal(terminalId);
    for (const char of data) {
      if (char === '\r' || char === '\n') {
        const command = terminal.line.trim();
        terminal.line = '';
        const echoed = command.startsWith('echo ') ? `${command.slice(5)}\r\n` : command ? `simulated: ${command}: not run\r\n` : '';
        terminal.handlers.onData(`\r\n${echoed}simulated$ `);
      } else if (char === '\u0003') {
        terminal.line = '';
        terminal.handlers.onData('^C\r\nsimulated$ ');
      } else {
        terminal.line += char;
        terminal.handlers.onData(char);
      }
    }
  }

  resizeTerminal(terminalId: string): void {
    this.terminal(terminalId);
  }

  closeTerminal(terminalId: string): void {
    const terminal = this.terminals.get(terminalId);
    if (!terminal) return;
    this.terminals.delete(terminalId);
    terminal.handlers.onExit(0);
  }

  async listGuestPorts(): Promise<GuestPort[]> {
    return [];
  }

  async forwardPort(workspaceId: string, guestPort: number, hostPort?: number): Promise<ForwardedPort> {
    if (!this.pages.has(workspaceId)) throw notAttached();
    const port = hostPort ?? guestPort;
    const forward = { workspaceId, guestPort, hostPort: port, url: `http://127.0.0.1:${port}/` };
    this.forwards.set(workspaceId, [...(this.forwards.get(workspaceId) ?? []), forward]);
    return forward;
  }

  async unforwardPort(workspaceId: string, guestPort: number): Promise<void> {
    this.forwards.set(workspaceId, (this.forwards.get(workspaceId) ?? []).filter((f) => f.guestPort !== guestPort));
  }

  listForwardedPorts(workspaceId: string): ForwardedPort[] {
    return this.forwards.get(workspaceId) ?? [];
  }

  async sshInfo(_workspaceId: string, name: string): Promise<SshInfo> {
    return {
      hostAlias: `tidepool-${name}`,
      command: `# ${name} is simulated: there is no machine to connect to`,
      vscodeUri: '',
      configPath: '',
      includedInUserConfig: false,
    };
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.pages.keys()].map((id) => this.detach(id)));
  }

  private terminal(terminalId: string): SimulatedTerminal {
    const terminal = this.terminals.get(terminalId);
    if (!terminal) throw new TidepoolError({ code: 'NOT_FOUND', message: 'That terminal has closed.' });
    return terminal;
  }
}

function notAttached(): TidepoolError {
  return new TidepoolError({ code: 'INVALID_STATE', message: 'The workspace is not running.' });
}

async function listen(server: Server, preferred: number | null): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  if (preferred) {
    try {
      return await tryPort(preferred);
    } catch {
      // Taken: fall through to a fresh port.
    }
  }
  return tryPort(0);
}
