/**
 * Everything Tidepool does inside a running workspace: the SSH connection, the IDE tunnel, terminals and
 * port forwards. One implementation over SSH serves every real runtime; the simulated runtime has its own.
 */
import type { Duplex } from 'node:stream';
import type { ForwardedPort, GuestPort, OperationStep, SshInfo } from '../../src-shared/workspace.js';
import type { OperationContext } from '../runtimes/runtime.js';

export interface GuestTarget {
  workspaceId: string;
  name: string;
  address: string;
  /** The IDE port used before; reused when free so the IDE's origin (and its browser storage) stays the same. */
  preferredIdePort: number | null;
  sshAgentForwarding: boolean;
  /** Cloned into the home folder on first attach. */
  repoUrl: string | null;
  /** Carries SSH when the address is not reachable from here (see Runtime.sshStream). */
  sshStream?: ((signal: AbortSignal) => Promise<Duplex>) | null;
}

export interface GuestContext extends OperationContext {
  step(step: OperationStep): void;
}

export interface AttachResult {
  idePort: number;
}

export type IdeHealth = { state: 'ok' } | { state: 'restarted'; detail: string } | { state: 'failed'; detail: string };

export interface TerminalHandlers {
  onData(data: string): void;
  onExit(code: number | null): void;
}

export interface GuestAccess {
  /** Connects (retrying while sshd comes up), checks the host key, configures and waits for the IDE. */
  attach(target: GuestTarget, ctx: GuestContext): Promise<AttachResult>;
  isAttached(workspaceId: string): boolean;
  /** The IDE's URL on 127.0.0.1; the tunnel must be open (after attach). */
  ideUrl(workspaceId: string): string;
  /** Closes the connection, the tunnel, terminals and forwards of a workspace (on stop). */
  detach(workspaceId: string): Promise<void>;
  /** Drops everything kept for a deleted workspace: pinned host key, SSH config entry. */
  forget(workspaceId: string, name: string): Promise<void>;
  openTerminal(workspaceId: string, size: { cols: number; rows: number }, handlers: TerminalHandlers): Promise<string>;
  writeTerminal(terminalId: string, data: string): void;
  resizeTerminal(terminalId: string, size: { cols: number; rows: number }): void;
  closeTerminal(terminalId: string): void;
  listGuestPorts(workspaceId: string): Promise<GuestPort[]>;
  forwardPort(workspaceId: string, guestPort: number, hostPort?: number): Promise<ForwardedPort>;
  unforwardPort(workspaceId: string, guestPort: number): Promise<void>;
  listForwardedPorts(workspaceId: string): ForwardedPort[];
  sshInfo(workspaceId: string, name: string): Promise<SshInfo>;
  /**
   * Checks the IDE of an attached workspace and restarts code-server when it stopped answering
   * (used by the health monitor). Absent where there is nothing to check.
   */
  checkIde?(workspaceId: string): Promise<IdeHealth>;
  /** Closes everything (app quit). */
  dispose(): Promise<void>;
}
