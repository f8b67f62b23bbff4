/**
 * Tart's failures as typed errors. Tart reports through exit codes (2 for a missing VM, "not running" and
 * "already running"; 1 for everything else; 64 for a refused command line) and fixed message templates,
 * which are matched here; the user gets one sentence and a next step, and Tart's own words as `detail`.
 */
import { TidepoolError, type ErrorCode } from '../../../src-shared/errors.js';
import type { TartResult } from './tart-cli.js';
import { UPGRADE_TART_COMMAND } from './tart-version.js';

export const INSTALL_SOFTNET_COMMAND = 'brew install openai/tools/softnet';

export interface TartFailureContext {
  /** What Tidepool asked for, as it completes "Tart could not …" ("start the VM tp-web"). */
  action: string;
  vm?: string;
  /** The base image, so a missing source VM reads as a missing image. */
  image?: string;
  /** The exact command that sets Softnet up on this Mac (from the set-up check). */
  softnetCommand?: string;
}

/** Tart's own words: the command, its exit status and what it printed. */
export function tartDetail(args: string[], result: Pick<TartResult, 'exitCode' | 'signal' | 'stdout' | 'stderr'>): string {
  const status = result.exitCode !== null ? `exited ${result.exitCode}` : `was killed by ${result.signal ?? 'a signal'}`;
  const said = [result.stderr.trim(), result.stdout.trim()].filter(Boolean).join('\n');
  return `\`tart ${args.join(' ')}\` ${status}${said ? `: ${said}` : ''}`;
}

export const tartSays = {
  vmMissing: (text: string) => /the specified VM ".*" does not exist/.test(text),
  alreadyRunning: (text: string) => /VM ".*" is already running!/.test(text),
  notRunning: (text: string) => /VM ".*" is not running/.test(text),
  stillRunning: (text: string) => /VM ".*" is running\b/.test(text) && !/already running/.test(text),
  noAddress: (text: string) => text.includes('no IP address found'),
  softnetNeedsRoot: (text: string) => text.includes('passwordless sudo was not available'),
  softnetMissing: (text: string) => text.includes('softnet not found in PATH'),
  softnetDied: (text: string) => text.includes('Softnet process terminated prematurely') || text.includes('Softnet failed'),
  diskFull: (text: string) =>
    /isn.t enough space|No space left on device|NSFileWriteOutOfSpaceError|NSCocoaErrorDomain Code=640/.test(text),
};

function error(code: ErrorCode, message: string, hint: string, detail: string): TidepoolError {
  return new TidepoolError({ code, message, hint, detail });
}

/** The typed error for a failed `tart` command (or a `tart run` that ended early: pass its log as stderr). */
export function tartFailure(args: string[], result: TartResult, context: TartFailureContext): TidepoolError {
  const text = `${result.stderr}\n${result.stdout}`;
  const detail = tartDetail(args, result);
  const vm = context.vm ?? 'the VM';
  if (tartSays.softnetNeedsRoot(text)) {
    return error(
      'RUNTIME_NOT_SET_UP',
      'Softnet, which keeps workspaces off your local network, needs a one-time set-up with administrator rights.',
      context.softnetCommand
        ? `Run \`${context.softnetCommand}\` in Terminal (it asks for your password once), then start the workspace again.`
        : 'Give Softnet its SUID bit as described in docs/tart.md, then start the workspace again.',
      detail,
    );
  }
  if (tartSays.softnetMissing(text)) {
    return error(
      'RUNTIME_NOT_SET_UP',
      'Softnet, which Tart uses to keep workspaces off your local network, is not installed.',
      `Install it with \`${INSTALL_SOFTNET_COMMAND}\`, then start the workspace again.`,
      detail,
    );
  }
  if (tartSays.softnetDied(text)) {
    return error(
      'RUNTIME_ERROR',
      `Softnet stopped right after ${vm} started, so Tart shut the VM down.`,
      `Update Softnet with \`brew upgrade softnet\`${context.softnetCommand ? ` and run \`${context.softnetCommand}\` again (an upgrade drops its SUID bit)` : ''}; the details have Softnet's own words.`,
      detail,
    );
  }
  if (tartSays.diskFull(text)) {
    return error(
      'DISK_FULL',
      `The Mac's disk is full, so Tart could not ${context.action}.`,
      'Free some space (Tart keeps downloaded images; `tart prune --entries caches --older-than 7` trims them), then try again.',
      detail,
    );
  }
  if (tartSays.vmMissing(text)) {
    if (context.image && text.includes(`"${context.image}"`)) {
      return error(
        'IMAGE_MISSING',
        `The workspace image ${context.image} is not in Tart.`,
        'Build it once with `tidepool image build --runtime tart` (or from the onboarding screen).',
        detail,
      );
    }
    return error(
      'NOT_FOUND',
      `The Tart VM ${vm} does not exist; it was deleted outside Tidepool.`,
      'Delete this workspace in Tidepool and create a new one.',
      detail,
    );
  }
  if (tartSays.alreadyRunning(text)) {
    return error(
      'BUSY',
      `The Tart VM ${vm} is already running; it was started outside Tidepool.`,
      `Stop it with \`tart stop ${vm}\`, then start the workspace again.`,
      detail,
    );
  }
  if (tartSays.stillRunning(text)) {
    return error('BUSY', `The Tart VM ${vm} is still running, so Tart will not remove it.`, 'Stop the workspace, then try again.', detail);
  }
  if (tartSays.notRunning(text)) {
    return error('INVALID_STATE', `The Tart VM ${vm} is not running.`, 'Start the workspace first.', detail);
  }
  if (tartSays.noAddress(text)) {
    return error(
      'TIMEOUT',
      `The Tart VM ${vm} got no network address in time.`,
      'Open the Logs tab to see how far the boot got, then stop and start the workspace.',
      detail,
    );
  }
  if (text.includes('The number of VMs exceeds the system limit')) {
    return error('RUNTIME_ERROR', `macOS refused to run another VM, so Tart could not ${context.action}.`, 'Stop another VM, then try again.', detail);
  }
  if (text.includes('TART_HOME is invalid')) {
    return error(
      'RUNTIME_NOT_SET_UP',
      "Tart cannot use the folder set as its storage (TART_HOME).",
      "Pick an existing folder for Tart in Tidepool's settings, or clear the setting to use ~/.tart.",
      detail,
    );
  }
  if (/seems to be already in use/.test(text)) {
    return error('BUSY', `The disk of ${vm} is in use by another program.`, 'Eject it in Finder, then try again.', detail);
  }
  if (/UnexpectedHTTPStatusCode|AuthFailed|NSURLErrorDomain/.test(text)) {
    return error(
      'RUNTIME_ERROR',
      `A download from the image registry failed, so Tart could not ${context.action}.`,
      'Check the internet connection and that the image name in images/recipe/versions.env exists, then try again.',
      detail,
    );
  }
  if (text.includes('guest has stopped the virtual machine due to error')) {
    return error(
      'RUNTIME_ERROR',
      `The VM ${vm} stopped with an error from macOS.`,
      "The details end with macOS's reason; start the workspace again, and restart the Mac if it keeps happening.",
      detail,
    );
  }
  if (text.includes('VZErrorDomain')) {
    return error(
      'RUNTIME_ERROR',
      `macOS could not start the VM ${vm}.`,
      "The details have macOS's reason; restarting the Mac helps when its virtualization service is stuck.",
      detail,
    );
  }
  if (result.exitCode === 64) {
    return error(
      'RUNTIME_ERROR',
      `Tart refused the command Tidepool gave it to ${context.action}.`,
      `Tidepool needs Tart 2.30.0 or later: run \`${UPGRADE_TART_COMMAND}\`, then try again.`,
      detail,
    );
  }
  return error('RUNTIME_ERROR', `Tart could not ${context.action}.`, "The details are Tart's own words; try again once the cause is fixed.", detail);
}
