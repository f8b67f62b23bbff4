/**
 * macOS 15+ "Local Network" privacy. Tart VMs live on a private bridge (192.168.64.0/24 and the like); until
 * the user allows Tidepool under Local Network, macOS refuses every connection there at once with
 * EHOSTUNREACH ("No route to host"), although the VM is up. That refusal gets its own typed error so the user
 * is sent to the right switch instead of waiting for a timeout.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { TidepoolError } from '../../../src-shared/errors.js';

export const LOCAL_NETWORK_SETTING = 'System Settings → Privacy & Security → Local Network';

export function isLocalNetworkRefusal(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'EHOSTUNREACH' || (typeof message === 'string' && /EHOSTUNREACH|No route to host/i.test(message));
}

export function localNetworkDeniedError(address: string, detail?: string): TidepoolError {
  return new TidepoolError({
    code: 'LOCAL_NETWORK_DENIED',
    message: `macOS is blocking Tidepool from reaching its workspace at ${address} on the local network.`,
    hint: `Open ${LOCAL_NETWORK_SETTING}, switch Tidepool on (or the terminal app you started it from), then start the workspace again.`,
    ...(detail !== undefined ? { detail } : {}),
  });
}

/**
 * For the guest layer: when connecting to a workspace the runtime reports as running fails, the typed
 * error if it is macOS's Local Network refusal, else null (keep retrying or report it as usual).
 */
export function localNetworkRefusal(error: unknown, address: string, platform: string = process.platform): TidepoolError | null {
  if (platform !== 'darwin' || !isLocalNetworkRefusal(error)) return null;
  return localNetworkDeniedError(address, error instanceof Error ? error.message : String(error));
}

export interface LocalNetworkCheckOptions {
  port?: number;
  timeoutMs?: number;
  platform?: string;
  /** Replaces the TCP connect (tests). */
  connect?: (port: number, host: string) => Socket;
}

/**
 * One TCP connection attempt to a running VM. Throws LOCAL_NETWORK_DENIED on macOS's refusal; any other
 * outcome (connected, refused because sshd is not up yet, no answer) says nothing about the privacy switch.
 */
export async function checkLocalNetworkAccess(address: string, options: LocalNetworkCheckOptions = {}): Promise<void> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'darwin') return;
  const connect = options.connect ?? ((port: number, host: string) => netConnect(port, host));
  const refusal = await new Promise<unknown>((resolve) => {
    const socket = connect(options.port ?? 22, address);
    const done = (outcome: unknown): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done(null), options.timeoutMs ?? 3000);
    socket.once('connect', () => done(null));
    socket.once('error', (error) => done(error));
  });
  const denied = localNetworkRefusal(refusal, address, platform);
  if (denied) throw denied;
}
