/**
 * The single entry for every API call from an untrusted client (renderer over IPC, browser over
 * WebSocket): the method must be in the contract, the payload must match its schema exactly, and the
 * answer is always a Result, never a thrown error.
 */
import { methods, type MethodName, type MethodOutput, type MethodParsedInput } from '../../src-shared/contract.js';
import { TidepoolError, toTidepoolError, type Result } from '../../src-shared/errors.js';
import { fieldErrors } from '../../src-shared/schemas.js';

export type Handlers = {
  [M in MethodName]: (input: MethodParsedInput<M>) => Promise<MethodOutput<M>>;
};

/** Largest payload accepted before parsing anything (a terminal paste is the largest legitimate one). */
export const MAX_PAYLOAD_BYTES = 2_000_000;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

export function parseInput<M extends MethodName>(name: M, payload: unknown): MethodParsedInput<M> {
  const parsed = methods[name].input.safeParse(payload === undefined ? {} : payload);
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error);
    const first = Object.entries(fields)[0];
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: first ? `${first[0] === '_' ? 'Invalid request' : first[0]}: ${first[1]}` : 'Invalid request.',
      fields,
    });
  }
  return parsed.data as MethodParsedInput<M>;
}

export async function dispatch(handlers: Handlers, name: unknown, payload: unknown): Promise<Result<unknown>> {
  try {
    if (!isMethodName(name)) {
      const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : `(a ${name === null ? 'null' : typeof name}, not a name)`;
      throw new TidepoolError({ code: 'INVALID_INPUT', message: `Unknown method ${shown}.` });
    }
    const input = parseInput(name, payload);
    const handler = handlers[name] as (input: unknown) => Promise<unknown>;
    const value = await handler(input);
    return { ok: true, value: value === undefined ? null : value };
  } catch (error) {
    return { ok: false, error: toTidepoolError(error).toData() };
  }
}
