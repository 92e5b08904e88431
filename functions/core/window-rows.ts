import type { FilterField } from './page-task.js';
import type { Table } from './tables.js';
import type { Window } from './windows.js';

/** The second before a window that each request also asks for, and the API's inclusive end second. */
export const EDGE_MS = 1000;

/**
 * Where a row falls against the window it was pulled for, by its filter time:
 * - `in`: `[start, end)`, the window's own rows;
 * - `before`: `[start - 1 s, start)`, the extra second each request asks for (so that an exclusive
 *   `startTime` loses nothing): expected, dropped, counted;
 * - `end-edge`: `[end, end + 1 s)`, the API's inclusive end second: expected, dropped, counted;
 * - `outside`: anything else, or no usable filter time. It contradicts what we believe about the API (the
 *   filter field, or the edges): the row is quarantined, never lost and never in the table.
 */
export type RowPlace = 'in' | 'before' | 'end-edge' | 'outside';

/**
 * The epoch milliseconds of a row's filter field; null when absent, `0` (never) or not a positive integer
 * (a number or a numeric string).
 */
export function filterTimeOf(apiRow: unknown, field: FilterField): number | null {
  if (typeof apiRow !== 'object' || apiRow === null) return null;
  const value = (apiRow as Record<string, unknown>)[field];
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Where a filter time falls against a window (see {@link RowPlace}). */
export function placeOf(window: Window, filterTimeMs: number | null): RowPlace {
  if (filterTimeMs === null) return 'outside';
  if (inWindow(window, filterTimeMs)) return 'in';
  if (filterTimeMs >= window.startMs - EDGE_MS && filterTimeMs < window.startMs) return 'before';
  if (filterTimeMs >= window.endMs && filterTimeMs < window.endMs + EDGE_MS) return 'end-edge';
  return 'outside';
}

/**
 * Whether a filter time belongs to a window: `[startMs, endMs)`. A row exactly at `endMs` belongs to the next
 * window, so that adjacent windows neither lose nor repeat a row.
 */
export function inWindow(window: Window, filterTimeMs: number): boolean {
  return filterTimeMs >= window.startMs && filterTimeMs < window.endMs;
}

/**
 * The identity of an API row, as the lake de-duplicates rows: its call id, and for call legs its leg id too;
 * undefined when a part is null or empty (such rows are never taken for one another).
 */
export function apiRowIdentity(table: Table, apiRow: unknown): string | undefined {
  if (typeof apiRow !== 'object' || apiRow === null) return undefined;
  const row = apiRow as Record<string, unknown>;
  const part = (value: unknown) =>
    (typeof value === 'string' && value !== '') || typeof value === 'number' ? String(value) : undefined;
  const call = part(row.callId);
  if (call === undefined || table !== 'call-legs') return call;
  const leg = part(row.legId);
  return leg === undefined ? undefined : `${call}\u0000${leg}`;
}
