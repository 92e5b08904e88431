import { type PbxScope, PbxScopeError, pbxScopeOfList } from '../core/page-task.js';
import { UsageError } from './usage.js';

/**
 * An ISO 8601 instant with a zone (`2026-11-27T00:00:00Z` or `…+01:00`), as epoch ms. A date alone
 * (`2026-11-27`) is that day's 00:00 UTC, as the tables' `dt` and the grid are UTC.
 */
export function parseInstant(flag: string, value: string | undefined): number {
  if (value === undefined)
    throw new UsageError(
      `--${flag} is required (a UTC date such as 2026-11-27, or an ISO instant such as 2026-11-27T00:00:00Z)`,
    );
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const iso = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
  const ms = Date.parse(date);
  // Date.parse rolls 2026-02-30 over to March: the day written must be the day read.
  const day = iso.exec(date)?.[1];
  const real =
    day !== undefined &&
    !Number.isNaN(ms) &&
    new Date(Date.parse(`${day}T00:00:00Z`)).toISOString().startsWith(day);
  if (!real) {
    throw new UsageError(
      `--${flag} "${value}" is neither a UTC date (2026-11-27) nor an ISO instant with a zone (2026-11-27T00:00:00Z)`,
    );
  }
  return ms;
}

/** A whole number within bounds. */
export function parseInteger(
  flag: string,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** `--pbx a,b` or `--pbx allpbxes` (the default), read as every entry point reads a PBX list. */
export function parsePbx(value: string | undefined): PbxScope {
  if (value === undefined) return 'allpbxes';
  try {
    return pbxScopeOfList(value);
  } catch (error) {
    if (!(error instanceof PbxScopeError)) throw error;
    throw new UsageError(`--pbx ${error.message}`);
  }
}
