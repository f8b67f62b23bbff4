/** What the Incus part of the end-to-end tests needs, checked up front so a missing piece is named. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const INCUS_SOCKET = process.env.INCUS_SOCKET ?? '/var/lib/incus/unix.socket';

/** Null when Incus and the Tidepool image are there; else why not and what to run. */
export function incusMissing(): string | null {
  if (process.platform !== 'linux') return 'Incus runs on Linux only.';
  if (!existsSync(INCUS_SOCKET)) return `no Incus socket at ${INCUS_SOCKET}: run \`sudo scripts/setup-incus.sh\`.`;
  const list = spawnSync('incus', ['image', 'list', '--format', 'json'], { encoding: 'utf8' });
  if (list.error || list.status !== 0) return `\`incus image list\` failed (${list.error?.message ?? list.stderr.trim()}): run as root or a member of incus-admin.`;
  const images = JSON.parse(list.stdout) as { aliases: { name: string }[] }[];
  if (!images.some((image) => image.aliases.some((alias) => alias.name.startsWith('tidepool/')))) {
    return 'the Tidepool image is not in Incus yet: run `bash images/incus/bake.sh` (or `tidepool --runtime incus image build`).';
  }
  return null;
}

export function incusInstanceExists(name: string): boolean {
  const list = spawnSync('incus', ['list', '--format', 'json'], { encoding: 'utf8' });
  return (JSON.parse(list.stdout) as { name: string }[]).some((instance) => instance.name === name);
}

/** Last-resort clean-up of an instance a failed run left behind. */
export function incusForceDelete(name: string): void {
  if (incusInstanceExists(name)) spawnSync('incus', ['delete', '--force', name], { stdio: 'ignore' });
}
