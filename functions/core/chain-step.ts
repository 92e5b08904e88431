import { type ApiPage, endsChain } from './api-page.js';
import { endsOnLastDataPage } from './early-end.js';
import { WalakeError } from './errors.js';
import {
  chainPageCap,
  describeTaskError,
  filterFieldOf,
  type PageTask,
  PageTaskSchema,
  taskWindow,
} from './page-task.js';

import { type LakeRow, lineageOf, normalizeRow } from './record-schema.js';
import { apiRowIdentity, filterTimeOf, placeOf } from './window-rows.js';

/** What the worker needs besides the task and the page. */
export interface ChainStepOptions {
  /** When the page was fetched: the `_ingested_at` of its rows. */
  readonly ingestedAtMs: number;
}

/** Totals of a finished chain, for the publish step and the ledger. */
export interface ChainDone {
  /** Pages that returned rows (the final empty `No Data` answer is not one). */
  readonly pages: number;
  /** Rows kept (in the window) over the whole chain. */
  readonly rows: number;
  /** Rows dropped at the window's edges over the whole chain (the second before it and its end second). */
  readonly dropped: number;
  /** Of the dropped rows, those in the second before the window's start. */
  readonly before: number;
  /** Rows outside the window that contradict the filter field: in quarantine, never in the table. */
  readonly quarantined: number;
  /** Kept rows with a value that did not fit its column (the value is in `extra`). */
  readonly mismatched: number;
  readonly firstPageTotal: number;
  /** The totalRecordCount of the chain's latest page with rows; differs from the first when rows came in. */
  readonly lastTotal?: number;
  /** The chain ended on its last data page, without asking for `No Data` (see `endsOnLastDataPage`). */
  readonly endedEarly?: boolean;
}

/** What one page holds for the lake and the counters. */
export interface PageRows {
  /** Lake rows of this window to stage for this page. */
  readonly rows: LakeRow[];
  /** Rows of this page at the window's edges (the second before it, the API's inclusive end second). */
  readonly dropped: number;
  /** Of those, the rows of the second before the window's start. */
  readonly before: number;
  /** The API rows of this page that contradict the filter field, as the API sent them: to quarantine. */
  readonly quarantine: readonly unknown[];
  /** Undocumented fields seen on this page (their values are in `extra`): count them as schema drift. */
  readonly driftFields: readonly string[];
  /** Documented fields seen on this page with a value their column cannot hold (kept in `extra`). */
  readonly typeMismatches: readonly string[];
  /** Rows of this page with at least one type mismatch. */
  readonly typeMismatchRows: number;
}

/** The outcome of one page: the next task of the chain, or the chain's totals when it has ended. */
export type ChainStepResult = PageRows &
  (
    | { readonly next: PageTask; readonly done?: undefined }
    | { readonly done: ChainDone; readonly next?: undefined }
  );

/** A chain asked for more pages than its first page's total allows: stop it rather than loop forever. */
export class RunawayChainError extends WalakeError {
  override readonly name = 'RunawayChainError';
  /** Permanent: the same page would fail the same way; the window is marked failed. */
  override readonly retryable = false;
}

/** The API answered a page with the cursor it was given: the chain would fetch the same page forever. */
export class StuckCursorError extends WalakeError {
  override readonly name = 'StuckCursorError';
  /** Permanent: the same page would fail the same way; the window is marked failed. */
  override readonly retryable = false;
}

/** The API's next cursor cannot travel in a task (too long, or with control characters). */
export class InvalidCursorError extends WalakeError {
  override readonly name = 'InvalidCursorError';
  /** Permanent: the same page would fail the same way; the window is marked failed. */
  override readonly retryable = false;
}

/**
 * The API's totals as the chain knows them after `page`: the first page's totalRecordCount; the latest one of a
 * page that continues the chain, where it differs from the first (rows ingested while the chain ran; the final
 * `No Data` answer says 0, and so may a page with rows: neither is a total); and the most rows a page held, where that is fewer than
 * `pageSize` asked (a server that clamps the page size silently: the page cap must follow it).
 */
export function chainTotals(
  task: Pick<PageTask, 'page' | 'pageSize' | 'firstPageTotal' | 'lastTotal' | 'pageRows'>,
  page: ApiPage,
): { firstPageTotal: number; lastTotal?: number; pageRows?: number } {
  const firstPageTotal = task.page === 1 ? page.totalRecordCount : (task.firstPageTotal ?? 0);
  // A page that ends the chain, or that says 0 with rows on it, names no total.
  const counted = !endsChain(page) && page.totalRecordCount > 0;
  const lastTotal = counted ? page.totalRecordCount : (task.lastTotal ?? firstPageTotal);
  // Page 1 records a short page; a later task without pageRows had a full first page.
  const before = task.page === 1 ? 0 : (task.pageRows ?? task.pageSize);
  const pageRows = Math.max(before, page.data.length);
  return {
    firstPageTotal,
    ...(lastTotal !== firstPageTotal ? { lastTotal } : {}),
    ...(pageRows > 0 && pageRows < task.pageSize ? { pageRows } : {}),
  };
}

/**
 * Applies one fetched page to its task: keeps and normalizes the rows of the task's window, then either hands
 * back the next task or, on `No Data` or an empty page, the chain's totals.
 * @throws StuckCursorError when the cursor did not advance; InvalidCursorError when it cannot be queued;
 * RunawayChainError past {@link pageCap}.
 */
export function chainStep(task: PageTask, page: ApiPage, options: ChainStepOptions): ChainStepResult {
  const endedEarly = !endsChain(page) && endsOnLastDataPage(task, page);
  const ends = endedEarly || endsChain(page);
  if (!ends && page.scrollId === task.scrollId) {
    throw new StuckCursorError(
      `${task.table} ${task.window} page ${task.page} returned the scrollId it was sent; ` +
        'the API is not advancing: rerun the window with a new attempt',
    );
  }
  const window = taskWindow(task);
  const lineage = lineageOf(window, task.attempt, options.ingestedAtMs);
  const field = filterFieldOf(task);
  const rows: LakeRow[] = [];
  const quarantine: unknown[] = [];
  let dropped = 0;
  let before = 0;
  const drift = new Set<string>();
  const mismatches = new Set<string>();
  let typeMismatchRows = 0;
  // The API may serve an edge row twice: count it once, as its totalRecordCount does (kept rows are
  // de-duplicated when the window is published).
  const edgeRows = new Set<string>();
  for (const apiRow of page.data) {
    const place = placeOf(window, filterTimeOf(apiRow, field));
    if (place === 'outside') {
      quarantine.push(apiRow);
      continue;
    }
    if (place !== 'in') {
      const id = apiRowIdentity(task.table, apiRow);
      if (id !== undefined && edgeRows.has(id)) continue;
      if (id !== undefined) edgeRows.add(id);
      dropped++;
      if (place === 'before') before++;
      continue;
    }
    const normalized = normalizeRow(task.table, apiRow, lineage);
    rows.push(normalized.row);
    for (const name of normalized.driftFields) drift.add(name);
    if (normalized.typeMismatches.length > 0) typeMismatchRows++;
    for (const name of normalized.typeMismatches) mismatches.add(name);
  }
  const driftFields = [...drift];
  const typeMismatches = [...mismatches];
  const totals = chainTotals(task, page);
  const { firstPageTotal } = totals;
  const rowsSoFar = task.rowsSoFar + rows.length;
  const droppedSoFar = task.droppedSoFar + dropped;
  const beforeSoFar = task.beforeSoFar + before;
  const quarantinedSoFar = task.quarantinedSoFar + quarantine.length;
  const mismatchedSoFar = task.mismatchedSoFar + typeMismatchRows;
  const pageResult = { rows, dropped, before, quarantine, driftFields, typeMismatches, typeMismatchRows };
  if (ends) {
    const pages = task.page - (page.data.length === 0 ? 1 : 0);
    return {
      ...pageResult,
      done: {
        pages,
        rows: rowsSoFar,
        dropped: droppedSoFar,
        before: beforeSoFar,
        quarantined: quarantinedSoFar,
        mismatched: mismatchedSoFar,
        firstPageTotal,
        ...(totals.lastTotal === undefined ? {} : { lastTotal: totals.lastTotal }),
        ...(endedEarly ? { endedEarly } : {}),
      },
    };
  }
  const cap = chainPageCap({ pageSize: task.pageSize, ...totals });
  if (task.page + 1 > cap) {
    const counted = Math.max(firstPageTotal, totals.lastTotal ?? 0);
    throw new RunawayChainError(
      `${task.table} ${task.window} attempt ${task.attempt} needs page ${task.page + 1}, ` +
        `but the API counted ${counted} rows (${cap} pages of ${totals.pageRows ?? task.pageSize} at most); ` +
        'stopped so it cannot loop: check the API cursor, then rerun the window',
    );
  }
  const { lastTotal: _last, pageRows: _rows, ...carried } = task;
  const next = PageTaskSchema.safeParse({
    ...carried,
    page: task.page + 1,
    scrollId: page.scrollId,
    ...totals,
    rowsSoFar,
    droppedSoFar,
    beforeSoFar,
    quarantinedSoFar,
    mismatchedSoFar,
  });
  if (!next.success) {
    // Only the API's new cursor can make the next task invalid: fail here rather than queue a poison message.
    throw new InvalidCursorError(
      `${task.table} ${task.window} page ${task.page}: the API's scrollId cannot be carried on ` +
        `(${describeTaskError(next.error)}); check the API's cursor format, then rerun the window`,
    );
  }
  return { ...pageResult, next: next.data };
}
