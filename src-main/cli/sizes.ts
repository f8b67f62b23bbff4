/** Sizes on the command line: `4096` (in the option's own unit), `4G`, `512M`, `1.5G`. */
import { TidepoolError } from '../../src-shared/errors.js';

const FACTOR_MIB: Record<string, number> = { m: 1, g: 1024, t: 1024 * 1024 };

export function parseSize(raw: string, unit: 'MiB' | 'GiB', option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([mgt])?(?:i?b)?$/i.exec(raw.trim());
  if (!match) {
    throw new TidepoolError({
      code: 'INVALID_INPUT',
      message: `${option} takes a size like ${unit === 'MiB' ? '4096, 512M or 4G' : '20 or 20G'}, not “${raw}”.`,
    });
  }
  const value = Number(match[1]);
  const suffix = match[2]?.toLowerCase();
  const mib = suffix ? value * FACTOR_MIB[suffix]! : unit === 'MiB' ? value : value * 1024;
  const result = unit === 'MiB' ? mib : mib / 1024;
  if (!Number.isInteger(result)) {
    throw new TidepoolError({ code: 'INVALID_INPUT', message: `${option} must be a whole number of ${unit}, not “${raw}”.` });
  }
  return result;
}

export function parseCount(raw: string, option: string): number {
  if (!/^\d+$/.test(raw.trim())) {
    throw new TidepoolError({ code: 'INVALID_INPUT', message: `${option} takes a whole number, not “${raw}”.` });
  }
  return Number(raw);
}
