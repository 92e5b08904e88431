import { epochMs, type FieldRef, RowSchemaError } from './coerce.js';
import type { Table } from './tables.js';
import type { Window } from './windows.js';

/** How a request filters rows; `isConnectTime` applies to call legs only (the API ignores it for records). */
export interface FilterOptions {
  readonly isConnectTime: boolean;
}

// Built once: this runs for every row of every page.
const refs = (table: Table) => ({
  disconnect: { table, apiName: 'disconnectedTimeUTC', type: 'epoch_ms' } as FieldRef,
  connect: { table, apiName: 'connectTimeUTC', type: 'epoch_ms' } as FieldRef,
});
const REFS = { 'call-legs': refs('call-legs'), 'call-records': refs('call-records') };

function refOf(table: Table, { isConnectTime }: FilterOptions): FieldRef {
  return table === 'call-legs' && isConnectTime ? REFS[table].connect : REFS[table].disconnect;
}

/** The API field a table's rows are filtered on: `disconnectedTimeUTC`, or `connectTimeUTC` (legs only). */
export function filterFieldOf(table: Table, options: FilterOptions): string {
  return refOf(table, options).apiName;
}

/**
 * The epoch milliseconds an API row is filtered on: `disconnectedTimeUTC`, or `connectTimeUTC` for call legs
 * pulled with `isConnectTime`.
 * @throws RowSchemaError when the row has no usable filter time: it would belong to no window, so dropping it
 * would lose it silently.
 */
export function filterTimeOf(table: Table, apiRow: unknown, options: FilterOptions): number {
  const ref = refOf(table, options);
  const value =
    typeof apiRow === 'object' && apiRow !== null ? (apiRow as Record<string, unknown>)[ref.apiName] : apiRow;
  const ms = epochMs(ref, value);
  if (ms === null) throw new RowSchemaError(table, ref.apiName, 'the filter time (epoch ms > 0)', value);
  return ms;
}

/**
 * Whether a filter time belongs to a window: `[startMs, endMs)`. The API answers an inclusive range and so
 * also returns the rows of the edge second; a row exactly at `endMs` belongs to the next window, so that
 * adjacent windows neither lose nor repeat a row.
 */
export function inWindow(window: Window, filterTimeMs: number): boolean {
  return filterTimeMs >= window.startMs && filterTimeMs < window.endMs;
}
