import { type Table, tableFolder } from './tables.js';
import { type Window, windowDay, windowId } from './windows.js';

/**
 * Object keys of the lake, the same in S3 and under a local folder. Every key is derived from (table, window)
 * and never from the time of the pull, so a rerun replaces what an earlier run wrote.
 */

/** The published object of a window: `lake/<table_folder>/dt=YYYY-MM-DD/<windowId>.json.gz`. */
export function lakeKey(table: Table, window: Window): string {
  return `lake/${tableFolder(table)}/dt=${windowDay(window)}/${windowId(window)}.json.gz`;
}

/** The folder of one attempt's staged pages: `staging/<table_folder>/<windowId>/<attempt>/`. */
export function stagingPrefix(table: Table, window: Window, attempt: number): string {
  if (!Number.isSafeInteger(attempt) || attempt < 1)
    throw new RangeError(`attempt must be >= 1; got ${attempt}`);
  return `staging/${tableFolder(table)}/${windowId(window)}/${attempt}/`;
}

/**
 * A staged page: `staging/<table_folder>/<windowId>/<attempt>/page-00001.json.gz`. Zero-padded so that a
 * listing sorts pages in order; deterministic so that a redelivered task rewrites the same object.
 */
export function stagingKey(table: Table, window: Window, attempt: number, page: number): string {
  if (!Number.isSafeInteger(page) || page < 1 || page > 99_999) {
    throw new RangeError(`page must be 1..99999; got ${page}`);
  }
  return `${stagingPrefix(table, window, attempt)}page-${String(page).padStart(5, '0')}.json.gz`;
}

/** The ledger entry of a window: `ledger/<table_folder>/dt=YYYY-MM-DD/<windowId>.json`. */
export function ledgerKey(table: Table, window: Window): string {
  return `ledger/${tableFolder(table)}/dt=${windowDay(window)}/${windowId(window)}.json`;
}

/** The ledger folder of a table, or of one of its days (`YYYY-MM-DD`): what the planner lists. */
export function ledgerPrefix(table: Table, day?: string): string {
  if (day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(day))
    throw new RangeError(`day must be YYYY-MM-DD; got ${day}`);
  return `ledger/${tableFolder(table)}/${day === undefined ? '' : `dt=${day}/`}`;
}
