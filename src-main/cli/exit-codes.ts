/**
 * The `tidepool` command's exit codes: a stable promise to scripts. `--json` output carries the exact
 * error code as well.
 */
import type { ErrorCode } from '../../src-shared/errors.js';

export const EXIT = {
  ok: 0,
  /** Anything not listed below (already exists, wrong state, internal error). */
  other: 1,
  /** Bad command line or invalid input (a bad workspace name, an unknown option). */
  usage: 2,
  notFound: 3,
  /** The workspace (or image) is in the middle of another operation. */
  busy: 4,
  /** The runtime is missing, not set up, or failed; the image is missing; the guest did not answer. */
  runtime: 5,
  /** Interrupted with Ctrl-C; the operation was cancelled. */
  interrupted: 130,
} as const;

const BY_ERROR: Partial<Record<ErrorCode, number>> = {
  INVALID_INPUT: EXIT.usage,
  NOT_FOUND: EXIT.notFound,
  BUSY: EXIT.busy,
  RUNTIME_UNAVAILABLE: EXIT.runtime,
  RUNTIME_NOT_SET_UP: EXIT.runtime,
  RUNTIME_ERROR: EXIT.runtime,
  IMAGE_MISSING: EXIT.runtime,
  TIMEOUT: EXIT.runtime,
  GUEST_UNREACHABLE: EXIT.runtime,
  DISK_FULL: EXIT.runtime,
  CANCELLED: EXIT.interrupted,
};

export function exitCodeFor(code: ErrorCode): number {
  return BY_ERROR[code] ?? EXIT.other;
}

/** The table printed at the end of `tidepool --help`. */
export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    other failure (name taken, wrong state, internal error)
  2    usage: unknown command or option, invalid name or value
  3    not found: no workspace (or remote) by that name
  4    busy: the workspace is in the middle of another operation; a remote still has workspaces
  5    runtime: runtime missing, not set up or failed; image missing; guest unreachable; timeout
  130  interrupted with Ctrl-C (the operation was cancelled)
  (tidepool ssh exits with ssh's own status once connected)`;
