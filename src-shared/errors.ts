/** Typed errors: every failure that crosses a process or network boundary is one of these codes. */

export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'BUSY',
  'INVALID_STATE',
  'CANCELLED',
  'TIMEOUT',
  'RUNTIME_UNAVAILABLE',
  'RUNTIME_NOT_SET_UP',
  'RUNTIME_ERROR',
  'IMAGE_MISSING',
  'DISK_FULL',
  'LOCAL_NETWORK_DENIED',
  'HOST_KEY_CHANGED',
  'GUEST_UNREACHABLE',
  'STORE_CORRUPT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface TidepoolErrorData {
  code: ErrorCode;
  /** One sentence a user can read. */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** The underlying tool's own words (runtime message, exit code), kept verbatim. */
  detail?: string;
  /** Per-field problems for INVALID_INPUT: path → message. */
  fields?: Record<string, string>;
}

export class TidepoolError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  readonly detail?: string;
  readonly fields?: Record<string, string>;

  constructor(data: TidepoolErrorData, options?: { cause?: unknown }) {
    super(data.message, options);
    this.name = 'TidepoolError';
    this.code = data.code;
    if (data.hint !== undefined) this.hint = data.hint;
    if (data.detail !== undefined) this.detail = data.detail;
    if (data.fields !== undefined) this.fields = data.fields;
  }

  toData(): TidepoolErrorData {
    const data: TidepoolErrorData = { code: this.code, message: this.message };
    if (this.hint !== undefined) data.hint = this.hint;
    if (this.detail !== undefined) data.detail = this.detail;
    if (this.fields !== undefined) data.fields = this.fields;
    return data;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Anything thrown, as a typed error; unknown failures become INTERNAL with their message as detail. */
export function toTidepoolError(error: unknown): TidepoolError {
  if (error instanceof TidepoolError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new TidepoolError({ code: 'CANCELLED', message: 'The operation was cancelled.' });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new TidepoolError({ code: 'INTERNAL', message: 'Something went wrong inside Tidepool.', detail });
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: TidepoolErrorData };
