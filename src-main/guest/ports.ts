/**
 * Ports: what listens inside the guest (`ss -ltnpH`), and forwarding one of those ports to 127.0.0.1 on
 * this computer on request, until the user removes it or the workspace stops.
 */
import { TidepoolError } from '../../src-shared/errors.js';
import type { ForwardedPort, GuestPort } from '../../src-shared/workspace.js';
import type { GuestConnection } from './connection-manager.js';
import { execInGuest, shellQuote } from './guest-exec.js';
import { LocalForward } from './local-forward.js';

/**
 * The listening sockets, then `pid executable` for their processes: a thread may rename itself (Node's
 * shows as "MainThread"), the executable says what it is. `sudo` shows every user's processes; without
 * it, only the login user's own are named.
 */
const LIST_SCRIPT = [
  'out=$(ss -ltnpH) || exit 1',
  `printf '%s\\n' "$out"`,
  "echo '#executables'",
  `for pid in $(printf '%s\\n' "$out" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -un); do`,
  `  exe=$(readlink "/proc/$pid/exe" 2>/dev/null) && printf '%s %s\\n' "$pid" "$exe"`,
  'done',
].join('\n');
const LIST_COMMAND = `sudo -n sh -c ${shellQuote(LIST_SCRIPT)} 2>/dev/null || sh -c ${shellQuote(LIST_SCRIPT)}`;

export async function listGuestPorts(connection: GuestConnection, hidden: readonly number[]): Promise<GuestPort[]> {
  const client = await connection.ready();
  const result = await execInGuest(client, LIST_COMMAND);
  if (result.code !== 0) {
    throw new TidepoolError({
      code: 'GUEST_UNREACHABLE',
      message: 'Tidepool could not list the ports open in the workspace.',
      detail: `ss: exit ${result.code}: ${result.stderr.trim()}`,
    });
  }
  return parseListeningPorts(result.stdout).filter((port) => !hidden.includes(port.port));
}

/**
 * Parses the listing (`ss -ltnpH`, then optionally `#executables` and `pid path` lines): one entry per
 * port, the widest address first (0.0.0.0 / :: over loopback), named by executable where known.
 */
export function parseListeningPorts(output: string): GuestPort[] {
  const [sockets = '', executablesPart = ''] = output.split(/^#executables$/m);
  const executables = new Map<string, string>();
  for (const line of executablesPart.split('\n')) {
    const match = /^(\d+) (.+?)(?: \(deleted\))?$/.exec(line.trim());
    if (match) executables.set(match[1]!, match[2]!.split('/').pop()!);
  }
  const byPort = new Map<number, GuestPort>();
  for (const line of sockets.split('\n')) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 4 || columns[0] !== 'LISTEN') continue;
    const local = columns[3]!;
    const colon = local.lastIndexOf(':');
    const port = Number(local.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(port) || port <= 0) continue;
    const address = local.slice(0, colon).replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
    const owner = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    const process = owner ? (executables.get(owner[2]!) ?? owner[1]!) : null;
    const known = byPort.get(port);
    if (!known || (isWildcard(address) && !isWildcard(known.address))) {
      byPort.set(port, { port, address, process: process ?? known?.process ?? null });
    }
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '*' || address === '::';
}

export class PortForwards {
  private readonly forwards = new Map<number, { forward: LocalForward; info: ForwardedPort }>();

  constructor(
    private readonly workspaceId: string,
    private readonly connection: GuestConnection,
  ) {}

  list(): ForwardedPort[] {
    return [...this.forwards.values()].map((entry) => entry.info).sort((a, b) => a.guestPort - b.guestPort);
  }

  /**
   * Forwards a guest port. Without `hostPort`, the same number is tried first (so `localhost:3000` works
   * as in the guest), then any free port.
   */
  async add(guestPort: number, hostPort?: number): Promise<ForwardedPort> {
    const existing = this.forwards.get(guestPort);
    if (existing) {
      if (hostPort === undefined || hostPort === existing.info.hostPort) return existing.info;
      throw new TidepoolError({
        code: 'ALREADY_EXISTS',
        message: `Port ${guestPort} is already forwarded to ${existing.info.hostPort} on this computer.`,
        hint: 'Remove that forward first to use another port.',
      });
    }
    // `localhost` in the guest: sshd tries each of its addresses, so servers bound to ::1 are reached too.
    const options = { connection: this.connection, guestHost: 'localhost', guestPort };
    let forward: LocalForward;
    if (hostPort !== undefined) {
      forward = await LocalForward.listen({ ...options, hostPort }).catch((error: unknown) => {
        throw new TidepoolError({
          code: 'ALREADY_EXISTS',
          message: `Port ${hostPort} on this computer is already in use.`,
          hint: 'Pick another port, or leave it empty to let Tidepool choose one.',
          detail: error instanceof Error ? error.message : String(error),
        });
      });
    } else {
      forward = await LocalForward.listen({ ...options, hostPort: guestPort }).catch(() =>
        LocalForward.listen({ ...options, hostPort: 0 }),
      );
    }
    const info: ForwardedPort = {
      workspaceId: this.workspaceId,
      guestPort,
      hostPort: forward.port,
      url: `http://127.0.0.1:${forward.port}/`,
    };
    this.forwards.set(guestPort, { forward, info });
    return info;
  }

  async remove(guestPort: number): Promise<void> {
    const entry = this.forwards.get(guestPort);
    if (!entry) return;
    this.forwards.delete(guestPort);
    await entry.forward.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.forwards.keys()].map((port) => this.remove(port)));
  }
}
