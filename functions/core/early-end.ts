import type { ApiPage } from './api-page.js';
import type { PageTask } from './page-task.js';

/**
 * Whether a page is the chain's last data page, so that the chain may end without asking for the API's
 * `No Data` answer: the page is shorter than the page size, and the rows served so far (this page included,
 * kept, dropped at the edges or quarantined) equal the first page's `totalRecordCount`.
 *
 * Only for chains started with `endOnLastDataPage`: the docs end a chain on `No Data` and never promise that
 * every page before the last is full. `walake probe` measures that the API does, the lake's manifest records
 * it, and the planner (or `walake run`) sets the flag only then, unless the configuration turns it off.
 * A window it ends is reconciled as any other; a later pull whose total disagrees is counted
 * (`earlyEndRevised` in the ledger).
 */
export function endsOnLastDataPage(
  task: Pick<
    PageTask,
    | 'endOnLastDataPage'
    | 'page'
    | 'pageSize'
    | 'firstPageTotal'
    | 'rowsSoFar'
    | 'droppedSoFar'
    | 'quarantinedSoFar'
  >,
  page: Pick<ApiPage, 'totalRecordCount' | 'data'>,
): boolean {
  if (!task.endOnLastDataPage) return false;
  const rows = page.data.length;
  if (rows === 0 || rows >= task.pageSize) return false;
  const total = task.page === 1 ? page.totalRecordCount : task.firstPageTotal;
  if (total === undefined) return false;
  // A later page whose own total moved (rows came in while the chain ran) may be followed by more rows: only
  // the API's `No Data` ends such a chain.
  if (task.page > 1 && page.totalRecordCount && page.totalRecordCount !== total) return false;
  const servedBefore = task.page === 1 ? 0 : task.rowsSoFar + task.droppedSoFar + task.quarantinedSoFar;
  return servedBefore + rows === total;
}
