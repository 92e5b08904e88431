import { endsChain } from '../core/api-page.js';
import { MAX_PAGE_SIZE } from '../core/page-task.js';
import type { Table } from '../core/tables.js';
import { HOUR_MS, type ProbeDeps, probeQuery, steadyRequest } from './probe-checks.js';

/** Requests of one walk at most (the first page's total picks a page size that needs about 4 pages). */
const MAX_WALK = 8;
/** The spans tried, longest first, until one holds at most 4 full pages of the largest page size. */
const SPANS_MS = [24 * HOUR_MS, HOUR_MS, HOUR_MS / 12];
/**
 * The spans end this long before now: calls that end while the walk runs would change the total between its
 * pages and leave the probe unable to tell.
 */
const SETTLED_MS = 2 * HOUR_MS;

/** Whether the API answered full pages until the last one, for one report. */
export interface PageFillResult {
  table: Table;
  /** true: every page before the last held pageSize rows; false: a short page came before more rows; null: not measured. */
  fullPagesUntilLast: boolean | null;
  pageSize: number;
  /** Rows of each data page, in order. */
  pages: number[];
  /** The first page's totalRecordCount, and the rows the walk received. */
  total: number;
  rows: number;
  /** The walk reached the API's end (a `No Data` or empty answer). */
  reachedEnd: boolean;
  note: string;
}

/**
 * Whether the API answers full pages until the last, the condition for ending a chain on its last data page:
 * page 1 of the 24 hours that ended 2 hours ago at pageSize 1 gives the total (a busy account's hour, or 5
 * minutes, when the day holds more than 4 pages of 7000), then the range is walked to its end at a page size that needs about
 * four pages (one more than a quarter of the total), and each page's row count is read.
 * Inconclusive (null) with fewer than 3 rows, when the walk is cut short, or when the rows received do not add
 * up to the total (data arriving while the probe ran): only a clean walk records `true`.
 */
export async function probePageFill(deps: ProbeDeps, table: Table): Promise<PageFillResult> {
  const now = deps.now();
  const end = now - SETTLED_MS;
  let range = probeQuery(table, end - 24 * HOUR_MS, end, 1);
  const result: PageFillResult = {
    table,
    fullPagesUntilLast: null,
    pageSize: 0,
    pages: [],
    total: 0,
    rows: 0,
    reachedEnd: false,
    note: '',
  };
  for (const span of SPANS_MS) {
    range = probeQuery(table, end - span, end, 1);
    const first = await steadyRequest(deps, range);
    if (!first.page) return { ...result, note: `not measured: page 1 answered ${first.status}` };
    result.total = first.page.totalRecordCount;
    if (result.total <= 4 * MAX_PAGE_SIZE) break;
  }
  if (result.total < 3)
    return { ...result, note: `not measured: ${result.total} rows in the 24 hours before the last 2` };
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.floor(result.total / 4) + 1);
  result.pageSize = pageSize;
  const query = { ...range, pageSize };
  let scrollId: string | undefined;
  for (let n = 0; n < MAX_WALK; n++) {
    const answer = await steadyRequest(deps, scrollId ? { ...query, scrollId } : query);
    if (!answer.page) return { ...result, note: `not measured: page ${n + 1} answered ${answer.status}` };
    if (endsChain(answer.page)) {
      result.reachedEnd = true;
      break;
    }
    result.pages.push(answer.page.data.length);
    result.rows += answer.page.data.length;
    scrollId = answer.page.scrollId;
  }
  const shortBeforeLast = result.pages.slice(0, -1).findIndex((rows) => rows < pageSize);
  if (shortBeforeLast >= 0) {
    const rows = result.pages[shortBeforeLast];
    return {
      ...result,
      fullPagesUntilLast: false,
      note: `page ${shortBeforeLast + 1} held ${rows} of ${pageSize} rows and more pages followed: chains ask for "No Data"`,
    };
  }
  if (!result.reachedEnd)
    return { ...result, note: `not measured: the walk stopped after ${MAX_WALK} requests` };
  if (result.rows !== result.total)
    return {
      ...result,
      note: `not measured: ${result.rows} rows received, the total said ${result.total} (data arrived meanwhile?)`,
    };
  if (result.pages.length < 2) return { ...result, note: 'not measured: the range fit one page' };
  return {
    ...result,
    fullPagesUntilLast: true,
    note: `every page before the last held ${pageSize} rows (${result.pages.join(', ')}): chains may end on their last data page`,
  };
}
