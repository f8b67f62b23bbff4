/** What a failed SSH connection means for the user, as a typed error. */
import { TidepoolError } from '../../src-shared/errors.js';
import { isLocalNetworkRefusal, localNetworkRefusal } from '../runtimes/tart/local-network.js';

export interface ConnectAttempt {
  name: string;
  address: string;
  port: number;
  platform: string;
  waitedMs: number;
}

/** The error for a connection that kept failing until the retry budget ran out. */
export function connectFailure(error: unknown, attempt: ConnectAttempt): TidepoolError {
  if (error instanceof TidepoolError) return error;
  const denied = localNetworkRefusal(error, attempt.address, attempt.platform);
  if (denied) return denied;
  const detail = describe(error);
  if (isAuthFailure(error)) {
    return new TidepoolError({
      code: 'GUEST_UNREACHABLE',
      message: `“${attempt.name}” did not accept Tidepool’s SSH key.`,
      hint: 'The key may have been removed from ~/.ssh/authorized_keys inside the workspace; rebuild the workspace to install it again.',
      detail,
    });
  }
  return new TidepoolError({
    code: 'GUEST_UNREACHABLE',
    message: `Tidepool could not connect to “${attempt.name}” over SSH at ${attempt.address}:${attempt.port} (tried for ${Math.round(attempt.waitedMs / 1000)} s).`,
    hint: 'Open the Logs tab to see how far the boot got, then stop and start the workspace.',
    detail,
  });
}

/** A short reason for the progress view while retrying ("SSH is not up yet"). */
export function retryReason(error: unknown, platform: string): string {
  // macOS asks the user on the first attempt; allowing it while Tidepool retries lets the connection through.
  if (platform === 'darwin' && isLocalNetworkRefusal(error)) return 'macOS may be asking whether Tidepool may use the local network: allow it';
  switch (errorCode(error)) {
    case 'ECONNREFUSED':
      return 'SSH is not up yet';
    case 'EHOSTUNREACH':
      return 'no route to the workspace yet';
    case 'ETIMEDOUT':
      return 'no answer yet';
    default:
      return isAuthFailure(error) ? 'key not accepted yet' : describe(error);
  }
}

export function isAuthFailure(error: unknown): boolean {
  return (error as { level?: unknown } | null)?.level === 'client-authentication';
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = errorCode(error);
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
