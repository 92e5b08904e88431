import type { PageTask } from './page-task.js';
import { taskWindow } from './page-task.js';
import type { Table } from './tables.js';
import { EDGE_MS } from './window-rows.js';

/**
 * One page request of `/v2/call-legs` or `/v2/call-records`, with every documented parameter. The client
 * (`functions/adapters/wa-client.ts`) validates it and renders the URL parameters.
 */
export interface PageQuery {
  table: Table;
  /** PBX ids (names), or 'allpbxes' for every PBX of the account. */
  pbx: readonly string[] | 'allpbxes';
  /** Interval start and end, epoch ms; sent as `YYYY-MM-DD HH:MM:SS` in `timeZone` (whole seconds). */
  startMs: number;
  endMs: number;
  /** IANA zone the times are rendered in; default UTC. */
  timeZone?: string;
  pageSize: number;
  scrollId?: string;
  /** Call legs only: filter on connect time instead of disconnect time. */
  isConnectTime?: boolean;
  /** Call legs only: leave out child legs. */
  isSimplified?: boolean;
  caller?: readonly string[];
  callee?: readonly string[];
  callerOrCallee?: readonly string[];
}

/**
 * The request of a task. Always asked in UTC: local text is ambiguous when a zone falls back, and grid windows
 * are UTC. It starts a second before the window, so that a `startTime` the API reads exclusively loses
 * nothing; the API reads `endTime` inclusively, so its edge second comes back too. `placeOf` drops both.
 */
export function pageQueryOf(task: PageTask): PageQuery {
  const window = taskWindow(task);
  const query: PageQuery = {
    table: task.table,
    pbx: task.pbx,
    startMs: window.startMs - EDGE_MS,
    endMs: window.endMs,
    timeZone: 'UTC',
    pageSize: task.pageSize,
  };
  if (task.scrollId !== undefined) query.scrollId = task.scrollId;
  if (task.table === 'call-legs') {
    query.isConnectTime = task.isConnectTime;
    query.isSimplified = task.isSimplified;
  }
  return query;
}
