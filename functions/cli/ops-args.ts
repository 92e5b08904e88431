import { messageOf } from '../core/errors.js';
import type { PbxScope } from '../core/page-task.js';
import { TABLES, type Table } from '../core/tables.js';
import { assertGridMinutes, DEFAULT_GRID_MINUTES } from '../core/windows.js';
import { parseInstant, parseInteger, parsePbx } from './args.js';
import type { FlagSpecs } from './command.js';
import { UsageError } from './usage.js';

/** The tables a control message may name: one table, or `all`. */
export type TableChoice = Table | 'all';

/** `--table call-legs|call-records|all`; `fallback` when absent (a required flag has none). */
export function tableChoiceOf(value: string | undefined, fallback?: TableChoice): TableChoice {
  if (value === undefined && fallback !== undefined) return fallback;
  if (value === 'all' || value === 'call-legs' || value === 'call-records') return value;
  throw new UsageError(
    `--table must be call-legs, call-records or all, got ${value === undefined ? 'nothing' : `"${value}"`}`,
  );
}

/** `--table call-legs|call-records`, where one table is meant (a page, a probe): `all` is refused. */
export function oneTableOf(value: string | undefined, fallback?: Table): Table {
  const choice = tableChoiceOf(value, fallback);
  if (choice === 'all') throw new UsageError('--table must be call-legs or call-records here, not all');
  return choice;
}

/** The tables of a choice. */
export function tablesOf(choice: TableChoice): Table[] {
  return choice === 'all' ? [...TABLES] : [choice];
}

/** `--grid-minutes N`: a length that divides a day (default 60, as the stack's `gridMinutes`). */
export function gridMinutesOf(value: string | undefined): number {
  const minutes = parseInteger('grid-minutes', value, 1, 1440) ?? DEFAULT_GRID_MINUTES;
  try {
    assertGridMinutes(minutes);
  } catch (error) {
    throw new UsageError(`--grid-minutes: ${messageOf(error)}`, { cause: error });
  }
  return minutes;
}

/** `--pbx a,b` or `--pbx allpbxes`; undefined when absent (the planner then uses the stack's PBX scope). */
export function pbxScopeOf(value: string | undefined): PbxScope | undefined {
  if (value === undefined) return undefined;
  return parsePbx(value);
}

/** Exactly one of two ways to name a target (e.g. `--queue-url` or `--stack`). */
export function oneOf<A extends string, B extends string>(
  a: [A, string | undefined],
  b: [B, string | undefined],
): { flag: A | B; value: string } {
  if (a[1] !== undefined && b[1] !== undefined) throw new UsageError(`give --${a[0]} or --${b[0]}, not both`);
  if (a[1] !== undefined) return { flag: a[0], value: a[1] };
  if (b[1] !== undefined) return { flag: b[0], value: b[1] };
  throw new UsageError(`give --${a[0]} URL or --${b[0]} NAME (the stack's outputs name the queues)`);
}

/** ISO text of an instant without milliseconds when it has none: `2026-11-27T00:00:00Z`. */
export function isoOf(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `--from ISO --to ISO`, the range most commands take, declared once. */
export const RANGE_FLAGS = {
  from: {
    type: 'string',
    value: 'ISO',
    description:
      'start: a UTC date (2026-11-27, its 00:00) or an ISO instant such as 2026-11-27T00:00:00Z (required)',
  },
  to: { type: 'string', value: 'ISO', description: 'end, exclusive (required)' },
} as const satisfies FlagSpecs;

/** The range of `--from` and `--to`, both required, from before to. */
export function rangeOf(flags: { from?: string | undefined; to?: string | undefined }): {
  fromMs: number;
  toMs: number;
} {
  const fromMs = parseInstant('from', flags.from);
  const toMs = parseInstant('to', flags.to);
  if (fromMs >= toMs) throw new UsageError('--from must be before --to');
  return { fromMs, toMs };
}

/** The lake a command reads: at most one of `--bucket`, `--stack` and `--out` may name it. */
export function assertOneLakeSource(flags: { bucket?: string; stack?: string; out?: string }): void {
  const given = (['bucket', 'stack', 'out'] as const).filter((name) => flags[name] !== undefined);
  if (given.length > 1) {
    throw new UsageError(`give one of --bucket, --stack and --out, not ${given.join(' and ')}`);
  }
}
