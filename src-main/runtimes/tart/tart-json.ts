/**
 * Reads `tart list --format json` and `tart get <vm> --format json`. Keys are Tart's own (capitalised,
 * in no fixed order); extra keys from other Tart versions are ignored; anything else is a typed error
 * rather than a guess.
 */
import { z } from 'zod';
import { TidepoolError } from '../../../src-shared/errors.js';
import { MIN_TART_VERSION, UPGRADE_TART_COMMAND } from './tart-version.js';

const stateSchema = z.string().min(1);

const listEntrySchema = z.object({
  /** `local`, or `OCI` (upper case) for cache entries. */
  Source: z.string(),
  Name: z.string().min(1),
  /** Decimal GB, floored. */
  Disk: z.number().int().nonnegative(),
  /** Allocated GB, floored. */
  Size: z.number().int().nonnegative(),
  /** ISO-8601 UTC; only since Tart 2.31.0. */
  Accessed: z.string().optional(),
  Running: z.boolean(),
  State: stateSchema,
});
export type TartListEntry = z.infer<typeof listEntrySchema>;

const vmInfoSchema = z.object({
  OS: z.string(),
  CPU: z.number().int().positive(),
  /** MiB. */
  Memory: z.number().int().positive(),
  /** Decimal GB, floored. */
  Disk: z.number().int().nonnegative(),
  DiskFormat: z.string().optional(),
  /** Allocated GB with three decimals, as a string ("3.142"). */
  Size: z.string(),
  Display: z.string(),
  Running: z.boolean(),
  State: stateSchema,
});
export type TartVmInfo = z.infer<typeof vmInfoSchema>;

function parse<T>(schema: z.ZodType<T>, stdout: string, command: string): T {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (cause) {
    throw unreadable(command, stdout, cause instanceof Error ? cause.message : String(cause));
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw unreadable(command, stdout, issue ? `${issue.path.join('.') || '(top level)'}: ${issue.message}` : 'unexpected shape');
  }
  return result.data;
}

function unreadable(command: string, stdout: string, problem: string): TidepoolError {
  const shown = stdout.length > 400 ? `${stdout.slice(0, 400)}…` : stdout;
  return new TidepoolError({
    code: 'RUNTIME_ERROR',
    message: `Tart answered \`${command}\` with output Tidepool cannot read.`,
    hint: `Tidepool needs Tart ${MIN_TART_VERSION} or later: run \`${UPGRADE_TART_COMMAND}\`. If it is current, please report this.`,
    detail: `${problem}; output: ${shown.trim() || '(empty)'}`,
  });
}

export function parseTartList(stdout: string): TartListEntry[] {
  return parse(z.array(listEntrySchema), stdout, 'tart list --format json');
}

export function parseTartGet(stdout: string): TartVmInfo {
  return parse(vmInfoSchema, stdout, 'tart get --format json');
}
