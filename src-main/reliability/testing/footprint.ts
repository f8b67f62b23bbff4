/**
 * What this process holds, read from /proc (Linux): open file descriptors, TCP sockets it listens on
 * (IDE tunnels, port forwards, proxies) and its established SSH connections. The load and fault tests
 * compare these before and after, so a leak shows as a number that does not come back.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface Footprint {
  fds: number;
  /** TCP sockets of this process in LISTEN, as "address:port". */
  listening: string[];
  /** Established TCP connections of this process to a remote port 22. */
  sshConnections: number;
}

interface TcpEntry {
  local: string;
  localPort: number;
  remotePort: number;
  state: string;
  inode: string;
}

const LISTEN = '0A';
const ESTABLISHED = '01';

/** The socket inodes behind this process's file descriptors. */
function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) inodes.add(match[1]!);
    } catch {
      // Closed between the listing and the read (the readdir's own descriptor, for one).
    }
  }
  return inodes;
}

function hexAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  return `[${hex}]`;
}

function tcpTable(file: string): TcpEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 9)
    .map((fields) => {
      const [localHex, localPortHex] = fields[1]!.split(':') as [string, string];
      const remotePortHex = fields[2]!.split(':')[1]!;
      return {
        local: hexAddress(localHex),
        localPort: parseInt(localPortHex, 16),
        remotePort: parseInt(remotePortHex, 16),
        state: fields[3]!,
        inode: fields[9]!,
      };
    });
}

export function footprint(): Footprint {
  const fds = readdirSync('/proc/self/fd').length;
  const inodes = ownSocketInodes();
  const own = [...tcpTable('/proc/self/net/tcp'), ...tcpTable('/proc/self/net/tcp6')].filter((entry) => inodes.has(entry.inode));
  return {
    fds,
    listening: own.filter((entry) => entry.state === LISTEN).map((entry) => `${entry.local}:${entry.localPort}`).sort(),
    sshConnections: own.filter((entry) => entry.state === ESTABLISHED && entry.remotePort === 22).length,
  };
}

export function describeFootprint(print: Footprint): string {
  return `fds ${print.fds}, listening ${print.listening.length}${print.listening.length ? ` (${print.listening.join(' ')})` : ''}, SSH connections ${print.sshConnections}`;
}
