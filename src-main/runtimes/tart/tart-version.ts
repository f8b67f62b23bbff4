/**
 * Which Tart versions Tidepool can drive. 2.30.0 is the first with `--net-softnet-block`, so every Softnet
 * flag Tidepool may pass exists there (and the JSON keys Tidepool reads are all present since 2.8.0).
 */

export const MIN_TART_VERSION = '2.30.0';

export const INSTALL_TART_COMMAND = 'brew install openai/tools/tart';
export const UPGRADE_TART_COMMAND = 'brew upgrade tart';

export interface TartVersion {
  /** What `tart --version` printed, trimmed. */
  raw: string;
  /** [major, minor, patch], or null for a development build (`SNAPSHOT`) or anything unreadable. */
  parts: [number, number, number] | null;
}

export function parseTartVersion(output: string): TartVersion {
  const raw = output.trim().split('\n')[0]?.trim() ?? '';
  // Release builds print e.g. `2.35.0`; a `git describe` style suffix (`2.35.0-8-g16d186c`) is tolerated.
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+][\w.-]*)?$/.exec(raw);
  return { raw, parts: match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null };
}

/** True when the version is known and older than `minimum`. Development builds count as new enough. */
export function isOlderThan(version: TartVersion, minimum: string = MIN_TART_VERSION): boolean {
  if (!version.parts) return false;
  const wanted = parseTartVersion(minimum).parts!;
  for (let i = 0; i < 3; i += 1) {
    if (version.parts[i]! !== wanted[i]!) return version.parts[i]! < wanted[i]!;
  }
  return false;
}
