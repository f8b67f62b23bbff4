/**
 * TIDEPOOL_SIMULATED_FAIL=<op>[:text] (development aid): every `op` of the simulated runtime fails, with
 * `text` as the runtime's own words, so error screens can be seen without breaking a real runtime.
 */
import { TidepoolError } from '../../../src-shared/errors.js';
import type { SimulatedFailure, SimulatedOperation } from './simulated-runtime.js';

const OPERATIONS: readonly SimulatedOperation[] = ['create', 'start', 'stop', 'delete', 'getIp', 'status', 'list', 'claimWarm'];

export function simulatedFailureFromEnv(value: string | undefined): { op: SimulatedOperation; failure: SimulatedFailure } | null {
  if (!value) return null;
  const colon = value.indexOf(':');
  const op = (colon === -1 ? value : value.slice(0, colon)).trim();
  const text = colon === -1 ? '' : value.slice(colon + 1).trim();
  if (!OPERATIONS.includes(op as SimulatedOperation)) {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: `TIDEPOOL_SIMULATED_FAIL names no simulated operation: “${op}”.`,
      hint: `Use one of ${OPERATIONS.join(', ')}, optionally followed by :message.`,
    });
  }
  return {
    op: op as SimulatedOperation,
    failure: {
      kind: 'error',
      message: `The simulated runtime's ${op} failed.`,
      hint: 'TIDEPOOL_SIMULATED_FAIL asks for this failure; start Tidepool without it to stop it.',
      detail: text || `simulated ${op} failure`,
    },
  };
}
