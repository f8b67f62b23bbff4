/**
 * Softnet: the filter Tart puts between a VM and the network with `--net-softnet` (internet yes, local
 * network no). Two concerns live here: the flags for a workspace's network policy, and whether Softnet's
 * one-time privileged set-up is done. Softnet must run as root; Tart only offers to set that up when
 * `tart run` has a terminal, which a desktop app never gives it, so Tidepool checks it and names the command.
 */
import { spawn } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import type { NetworkPolicy } from '../../../src-shared/workspace.js';
import { findExecutable } from './tart-cli.js';

export interface SoftnetFlags {
  args: string[];
  /** Entries of the allow-list that were changed or left out, in words for the workspace log. */
  notes: string[];
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The network address of an IPv4 CIDR (`192.168.1.7/24` → `192.168.1.0/24`), or null if it is not one. */
export function normaliseIpv4Cidr(cidr: string): string | null {
  const match = IPV4_CIDR.exec(cidr.trim());
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return null;
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(value / size) * size;
  return `${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.')}/${prefix}`;
}

/**
 * `--net-softnet` always; `--net-softnet-allow` for the workspace's allow-list. Softnet's defaults already
 * drop every non-global destination (LAN, VPN, CGNAT, link-local, IPv6), so Tidepool passes no
 * `--net-softnet-block`: the one address still open, the host's bridge address, cannot be blocked without
 * also cutting the replies of Tidepool's own SSH connection.
 */
export function softnetFlags(network: NetworkPolicy): SoftnetFlags {
  const args = ['--net-softnet'];
  const notes: string[] = [];
  if (network.mode !== 'allow-list') return { args, notes };
  const allow: string[] = [];
  for (const entry of network.allow) {
    if (entry.includes(':')) {
      notes.push(`${entry} is left out: Softnet drops all IPv6 traffic, so it cannot be allowed.`);
      continue;
    }
    const cidr = normaliseIpv4Cidr(entry);
    if (!cidr) {
      notes.push(`${entry} is left out: it is not an IPv4 CIDR.`);
    } else if (cidr === '0.0.0.0/0') {
      // Exactly 0.0.0.0/0 also switches off vmnet's VM-to-VM isolation; two halves allow the same
      // destinations and keep workspaces apart from each other.
      notes.push('0.0.0.0/0 is passed as 0.0.0.0/1 and 128.0.0.0/1, which keeps workspaces isolated from each other.');
      allow.push('0.0.0.0/1', '128.0.0.0/1');
    } else {
      if (cidr !== entry) notes.push(`${entry} is passed as ${cidr}.`);
      allow.push(cidr);
    }
  }
  const unique = [...new Set(allow)];
  if (unique.length > 0) args.push('--net-softnet-allow', unique.join(','));
  return { args, notes };
}

export interface SoftnetSetup {
  state: 'ready' | 'missing' | 'not-set-up';
  /** How Softnet gets root when ready. */
  via: 'suid' | 'sudo' | null;
  /** `softnet` as found on PATH (e.g. /opt/homebrew/bin/softnet). */
  path: string | null;
  /** The binary it links to (the Homebrew Cellar file), which is what needs the SUID bit. */
  resolvedPath: string | null;
  /** The exact command that sets it up, when it is not set up. */
  command: string | null;
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** The same command Tart runs when it sets Softnet up on a terminal. */
export function softnetSuidCommand(resolvedPath: string): string {
  const path = shellQuote(resolvedPath);
  return `sudo sh -c "chown root ${path} && chmod u+s ${path}"`;
}

/** Runs `sudo --non-interactive softnet --help`, Tart's own check for a passwordless sudo rule. */
function sudoWorks(env: Record<string, string>): Promise<boolean> {
  const sudo = findExecutable('sudo', env.PATH ?? '');
  if (!sudo) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(sudo, ['--non-interactive', 'softnet', '--help'], { env, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/** Checks, as Tart does before `tart run --net-softnet`, whether Softnet can become root without a prompt. */
export async function checkSoftnet(env: Record<string, string>): Promise<SoftnetSetup> {
  const path = findExecutable('softnet', env.PATH ?? '');
  if (!path) return { state: 'missing', via: null, path: null, resolvedPath: null, command: null };
  let resolvedPath = path;
  try {
    resolvedPath = realpathSync(path);
    const info = statSync(resolvedPath);
    if (info.uid === 0 && (info.mode & 0o4000) !== 0) {
      return { state: 'ready', via: 'suid', path, resolvedPath, command: null };
    }
  } catch {
    // Unreadable: fall through to the sudo check, as Tart does.
  }
  if (await sudoWorks(env)) return { state: 'ready', via: 'sudo', path, resolvedPath, command: null };
  return { state: 'not-set-up', via: null, path, resolvedPath, command: softnetSuidCommand(resolvedPath) };
}
