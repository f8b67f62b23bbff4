/**
 * Tidepool's data folder holds keys and tokens: it is created owner-only, and one that already exists
 * with wider permissions (an older install, a copied folder) is tightened. Never a shared folder
 * (sticky, like /tmp) or one that belongs to someone else: those are left as they are.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';

export function ensurePrivateFolder(path: string): { tightenedFrom: number | null } {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const stat = statSync(path);
  const mode = stat.mode & 0o7777;
  const ours = process.getuid === undefined || stat.uid === process.getuid();
  if ((mode & 0o077) === 0 || (mode & 0o1000) !== 0 || !ours) return { tightenedFrom: null };
  chmodSync(path, mode & 0o700);
  return { tightenedFrom: mode };
}
