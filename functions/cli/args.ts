import { type ParseArgsConfig, parseArgs } from 'node:util';
import { messageOf } from '../core/errors.js';
import { UsageError } from './usage.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's flags strictly: an unknown flag, a missing value or a stray argument is a UsageError.
 * Returns undefined when `--help` was asked for, after printing `help`.
 */
export function parseFlags<T extends Options>(
  argv: string[],
  options: T,
  help: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true }>>['values'] | undefined {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(messageOf(error).replace(/^TypeError \[\w+\]: /, ''), { cause: error });
  }
  if (values.help) {
    process.stdout.write(help);
    return undefined;
  }
  return values as ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true }>>['values'];
}

/** An ISO 8601 instant with a zone (`2026-11-27T00:00:00Z` or `…+01:00`), as epoch ms. */
export function parseInstant(flag: string, value: string | undefined): number {
  if (value === undefined)
    throw new UsageError(`--${flag} is required (an ISO instant such as 2026-11-27T00:00:00Z)`);
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
  const ms = Date.parse(value);
  if (!iso.test(value) || Number.isNaN(ms)) {
    throw new UsageError(
      `--${flag} "${value}" is not an ISO instant with a zone, such as 2026-11-27T00:00:00Z`,
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

/** `--pbx a,b` or `--pbx allpbxes` (the default). */
export function parsePbx(value: string | undefined): string[] | 'allpbxes' {
  if (value === undefined || value === 'allpbxes') return 'allpbxes';
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new UsageError('--pbx takes comma-separated PBX ids, or allpbxes');
  return [...new Set(ids)].sort();
}
