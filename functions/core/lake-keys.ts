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

/** The lake's manifest: the grid and schema version the lake was made with (see `manifest.ts`). */
export const MANIFEST_KEY = 'lake/_manifest.json';

function checkChain(chain: string): void {
  if (!/^[a-z0-9]{6,32}$/.test(chain)) throw new RangeError(`chain id must be [a-z0-9]{6,32}; got ${chain}`);
}

function pageName(page: number): string {
  if (!Number.isSafeInteger(page) || page < 1 || page > 99_999) {
    throw new RangeError(`page must be 1..99999; got ${page}`);
  }
  return `page-${String(page).padStart(5, '0')}`;
}

/**
 * The folder of one chain's staged pages: `staging/<table_folder>/<windowId>/<chain>/`. Keyed by the chain's
 * unique id, so no two chains (two attempts, or two PBX scopes of one attempt) ever read each other's pages.
 */
export function stagingPrefix(table: Table, window: Window, chain: string): string {
  checkChain(chain);
  return `staging/${tableFolder(table)}/${windowId(window)}/${chain}/`;
}

/**
 * A staged page: `staging/<table_folder>/<windowId>/<chain>/page-00001.json.gz`. Zero-padded so that a
 * listing sorts pages in order; deterministic so that a redelivered task rewrites the same object.
 */
export function stagingKey(table: Table, window: Window, chain: string, page: number): string {
  return `${stagingPrefix(table, window, chain)}${pageName(page)}.json.gz`;
}

/**
 * The rows of a page that contradict the filter field, as the API sent them (JSON lines, gzip):
 * `quarantine/<table_folder>/<windowId>/<chain>/page-00001.json.gz`. Outside the tables' folders, so Athena
 * never reads them; kept until an operator has looked (no lifecycle rule).
 */
export function quarantineKey(table: Table, window: Window, chain: string, page: number): string {
  checkChain(chain);
  return `quarantine/${tableFolder(table)}/${windowId(window)}/${chain}/${pageName(page)}.json.gz`;
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
