/**
 * Guest access over SSH for every real runtime: one connection per workspace as user `dev`, shared by the
 * IDE tunnel, terminals, port forwards and the commands Tidepool runs in the guest.
 */
import { performance } from 'node:perf_hooks';
import { TidepoolError, toTidepoolError } from '../../src-shared/errors.js';
import type { ForwardedPort, GuestPort, Settings, SshInfo } from '../../src-shared/workspace.js';
import { DEFAULT_TIMING, GuestConnection, type ConnectionTiming } from './connection-manager.js';
import { sleep } from '../util/abort.js';
import { shellQuote } from './guest-exec.js';
import type { AttachResult, GuestAccess, GuestContext, GuestTarget, IdeHealth, TerminalHandlers } from './guest-access.js';
import { algorithmsFor, HostKeyStore } from './host-keys.js';
import { configureIde, ideProblem, IMAGE_IDE, restartIde, waitForIde, type IdeSettings } from './ide-config.js';
import { openIdeTunnel } from './ide-tunnel.js';
import type { LocalForward } from './local-forward.js';
import { listGuestPorts, PortForwards } from './ports.js';
import { cloneRepo } from './repo-clone.js';
import { applySshConfigInclude, defaultUserSshDir, hostAlias, SshConfigFile, sshInfoFor, sshProxyCommand } from './ssh-config.js';
import { loadOrCreateSshKey, type SshKey } from './ssh-key.js';
import { Terminals, type TerminalSize } from './terminals.js';

export interface SshGuestOptions {
  dataDir: string;
  settings(): Settings;
  /** The guest's login user and its home (the image's `dev`). */
  user?: string;
  guestHome?: string;
  sshPort?: number;
  ide?: Partial<IdeSettings>;
  timing?: Partial<ConnectionTiming>;
  /** Where ~/.ssh is (tests point it elsewhere). */
  userSshDir?: string;
  platform?: string;
  /** The agent forwarded to workspaces that ask for it; defaults to SSH_AUTH_SOCK. */
  sshAuthSock?: string | null;
  /**
   * How to run this Tidepool's CLI (argv), for the ProxyCommand that lets the system's ssh reach a workspace
   * on a remote server (`tidepool ssh-proxy`); null where there is no CLI to run (the desktop app).
   */
  cliCommand?: string[] | null;
}

interface Session {
  target: GuestTarget;
  connection: GuestConnection;
  ports: PortForwards;
  tunnel: LocalForward | null;
  /** The folder the IDE opens: the cloned repository, else the home folder's default. */
  folder: string | null;
  attached: boolean;
}

export class SshGuest implements GuestAccess {
  private readonly sessions = new Map<string, Session>();
  /** First connects still retrying (app quit must not wait for their budget). */
  private readonly connecting = new Set<GuestConnection>();
  private readonly terminals = new Terminals();
  private readonly hostKeys: HostKeyStore;
  private readonly sshConfig: SshConfigFile;
  private readonly user: string;
  private readonly home: string;
  private readonly sshPort: number;
  private readonly ide: IdeSettings;
  private readonly timing: ConnectionTiming;
  private readonly userSshDir: string;
  private readonly platform: string;
  private key: SshKey | null = null;

  constructor(private readonly options: SshGuestOptions) {
    this.hostKeys = new HostKeyStore(options.dataDir);
    this.sshConfig = new SshConfigFile(options.dataDir);
    this.user = options.user ?? 'dev';
    this.home = options.guestHome ?? `/home/${this.user}`;
    this.sshPort = options.sshPort ?? 22;
    this.ide = { ...IMAGE_IDE, home: this.home, ...options.ide };
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    this.userSshDir = options.userSshDir ?? defaultUserSshDir();
    this.platform = options.platform ?? process.platform;
  }

  async attach(target: GuestTarget, ctx: GuestContext): Promise<AttachResult> {
    try {
      return await this.attachSteps(target, ctx);
    } catch (error) {
      await this.detach(target.workspaceId);
      throw error;
    }
  }

  private async attachSteps(target: GuestTarget, ctx: GuestContext): Promise<AttachResult> {
    const id = target.workspaceId;
    ctx.step('ssh');
    let session = this.sessions.get(id);
    if (session && (session.target.address !== target.address || session.target.sshAgentForwarding !== target.sshAgentForwarding)) {
      await this.detach(id);
      session = undefined;
    }
    if (!session) session = await this.connect(target, ctx);
    session.target = target;
    this.writeSshConfig(target);

    ctx.step('configure');
    const configureStarted = performance.now();
    const { restarted } = await configureIde(session.connection, this.ide, target.name, ctx);
    ctx.log(`IDE configured in ${Math.round(performance.now() - configureStarted)} ms${restarted ? ' (code-server restarted)' : ''}`);

    ctx.step('ide');
    const ideStarted = performance.now();
    session.tunnel ??= await openIdeTunnel(session.connection, this.ide.port, target.preferredIdePort, ctx.log);
    await waitForIde(session.connection, this.ide, target.name, ctx);
    ctx.log(`IDE answered in ${Math.round(performance.now() - ideStarted)} ms; tunnel on 127.0.0.1:${session.tunnel.port}`);

    if (target.repoUrl) {
      ctx.step('clone-repo');
      const outcome = await cloneRepo(session.connection, this.home, target.repoUrl, ctx);
      if (outcome.status === 'failed') {
        // The workspace stays usable; the next start tries again while the folder is missing.
        ctx.log(`could not clone ${target.repoUrl} into ${outcome.folder}; the next start tries again:\n${outcome.detail}`, 'error');
        ctx.progress('Cloning the repository failed; see the Logs tab');
      } else {
        if (outcome.status === 'cloned') ctx.log(`cloned ${target.repoUrl} into ${outcome.folder}`);
        session.folder = outcome.folder;
      }
    }
    session.attached = true;
    return { idePort: session.tunnel.port };
  }

  private async connect(target: GuestTarget, ctx: GuestContext): Promise<Session> {
    const id = target.workspaceId;
    const key = this.sshKey();
    const agentSocket = this.agentSocket(target, ctx);
    const connection = new GuestConnection({
      name: target.name,
      host: target.address,
      port: this.sshPort,
      openStream: target.sshStream ?? null,
      username: this.user,
      privateKey: key.privateKey,
      agentSocket,
      hostKeyAlgorithms: () => {
        const pin = this.hostKeys.pinned(id);
        return pin ? algorithmsFor(pin.type) : null;
      },
      verifyHostKey: (blob) => this.hostKeys.verify(id, target.name, blob),
      platform: this.platform,
      timing: this.timing,
      log: ctx.log,
      onDrop: () => this.terminals.endAll(id),
    });
    const started = performance.now();
    this.connecting.add(connection);
    try {
      await connection.open(ctx.signal, ctx.progress);
    } catch (error) {
      await connection.close();
      throw error;
    } finally {
      this.connecting.delete(connection);
    }
    ctx.log(`SSH connected to ${this.user}@${target.address}:${this.sshPort} in ${Math.round(performance.now() - started)} ms`);
    const session: Session = { target, connection, ports: new PortForwards(id, connection), tunnel: null, folder: null, attached: false };
    this.sessions.set(id, session);
    return session;
  }

  isAttached(workspaceId: string): boolean {
    return this.sessions.get(workspaceId)?.attached ?? false;
  }

  ideUrl(workspaceId: string): string {
    const session = this.attachedSession(workspaceId);
    const base = `http://127.0.0.1:${session.tunnel!.port}/`;
    return session.folder ? `${base}?folder=${encodeURIComponent(session.folder)}` : base;
  }

  async detach(workspaceId: string): Promise<void> {
    const session = this.sessions.get(workspaceId);
    if (!session) return;
    this.sessions.delete(workspaceId);
    this.terminals.endAll(workspaceId);
    await session.ports.closeAll();
    await session.tunnel?.close();
    await session.connection.close();
  }

  async forget(workspaceId: string, name: string): Promise<void> {
    await this.detach(workspaceId);
    this.hostKeys.forget(workspaceId, name);
    this.sshConfig.remove(hostAlias(name));
  }

  async openTerminal(workspaceId: string, size: TerminalSize, handlers: TerminalHandlers): Promise<string> {
    const session = this.attachedSession(workspaceId);
    return this.terminals.open(workspaceId, session.connection, size, handlers);
  }

  writeTerminal(terminalId: string, data: string): void {
    this.terminals.write(terminalId, data);
  }

  resizeTerminal(terminalId: string, size: TerminalSize): void {
    this.terminals.resize(terminalId, size);
  }

  closeTerminal(terminalId: string): void {
    this.terminals.close(terminalId);
  }

  async listGuestPorts(workspaceId: string): Promise<GuestPort[]> {
    const session = this.attachedSession(workspaceId);
    // Tidepool's own plumbing (sshd, code-server) is not something to forward.
    return listGuestPorts(session.connection, [this.sshPort, this.ide.port]);
  }

  async forwardPort(workspaceId: string, guestPort: number, hostPort?: number): Promise<ForwardedPort> {
    return this.attachedSession(workspaceId).ports.add(guestPort, hostPort);
  }

  async unforwardPort(workspaceId: string, guestPort: number): Promise<void> {
    await this.sessions.get(workspaceId)?.ports.remove(guestPort);
  }

  listForwardedPorts(workspaceId: string): ForwardedPort[] {
    return this.sessions.get(workspaceId)?.ports.list() ?? [];
  }

  async sshInfo(_workspaceId: string, name: string): Promise<SshInfo> {
    const included = applySshConfigInclude(this.options.dataDir, this.options.settings().sshConfigInclude, this.userSshDir);
    return sshInfoFor(name, this.sshConfig.path, included, this.home);
  }

  /** The health monitor's check: an IDE that stays silent is restarted (systemd restarts a crashed one itself). */
  async checkIde(workspaceId: string): Promise<IdeHealth> {
    const session = this.attachedSession(workspaceId);
    const client = await session.connection.ready(5_000);
    let problem = await ideProblem(client, this.ide.port);
    if (problem === null) return { state: 'ok' };
    await sleep(3_000);
    problem = await ideProblem(await session.connection.ready(5_000), this.ide.port);
    if (problem === null) return { state: 'ok' };
    const quiet = { signal: new AbortController().signal, progress: () => undefined, log: () => undefined };
    try {
      await restartIde(await session.connection.ready(5_000), this.ide, session.target.name, quiet.signal);
      await waitForIde(session.connection, this.ide, session.target.name, quiet);
      return { state: 'restarted', detail: problem };
    } catch (error) {
      const failure = toTidepoolError(error);
      return { state: 'failed', detail: [failure.message, failure.detail].filter(Boolean).join(': ') };
    }
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.connecting].map((connection) => connection.close()));
    await Promise.all([...this.sessions.keys()].map((id) => this.detach(id)));
  }

  private writeSshConfig(target: GuestTarget): void {
    const key = this.sshKey();
    this.sshConfig.upsert({
      alias: hostAlias(target.name),
      hostName: target.address,
      port: this.sshPort,
      user: this.user,
      identityFile: key.privateKeyPath,
      knownHostsFile: this.hostKeys.path,
      agentForwarding: target.sshAgentForwarding,
      proxyCommand: target.sshStream ? this.proxyCommand(target.name) : null,
    });
    applySshConfigInclude(this.options.dataDir, this.options.settings().sshConfigInclude, this.userSshDir);
  }

  private proxyCommand(name: string): string {
    const cli = this.options.cliCommand;
    if (!cli) {
      return `sh -c ${shellQuote(`echo "${name} is on a remote Incus server: use the terminal tab in Tidepool, or run: tidepool ssh ${name}" >&2; exit 1`)}`;
    }
    return sshProxyCommand(cli, this.options.dataDir, name);
  }

  private agentSocket(target: GuestTarget, ctx: GuestContext): string | null {
    if (!target.sshAgentForwarding) return null;
    const socket = this.options.sshAuthSock === undefined ? process.env.SSH_AUTH_SOCK : this.options.sshAuthSock;
    if (!socket) {
      ctx.log('SSH agent forwarding is on for this workspace, but no agent is running here (SSH_AUTH_SOCK is not set); continuing without it', 'warn');
      return null;
    }
    return socket;
  }

  private sshKey(): SshKey {
    this.key ??= loadOrCreateSshKey(this.options.dataDir);
    return this.key;
  }

  private attachedSession(workspaceId: string): Session {
    const session = this.sessions.get(workspaceId);
    if (!session?.attached || !session.tunnel) {
      throw new TidepoolError({ code: 'INVALID_STATE', message: 'The workspace is not running.', hint: 'Start it first.' });
    }
    return session;
  }
}
