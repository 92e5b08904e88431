import { toApiTime } from './api-time.js';
import { ALL_PBXES, type PageTask, type PbxScope, taskWindow } from './page-task.js';
import { apiPath, type Table } from './tables.js';

/** One report request, ready for an HTTP client: the path and its query parameters as text. */
export interface PageQuery {
  readonly table: Table;
  readonly path: `/v2/${Table}`;
  readonly params: Readonly<Record<string, string>>;
}

/** The `pbxId` parameter of a scope: `allpbxes` or the comma-joined names. */
export function pbxParam(pbx: PbxScope): string {
  return pbx === ALL_PBXES ? ALL_PBXES : pbx.join(',');
}

/**
 * The request of a task. Always asked in UTC: local text is ambiguous when a zone falls back, and grid
 * windows are UTC. The API reads `endTime` inclusively, so its edge second comes back too; `inWindow` drops it.
 */
export function pageQueryOf(task: PageTask): PageQuery {
  const window = taskWindow(task);
  const params: Record<string, string> = {
    pbxId: pbxParam(task.pbx),
    startTime: toApiTime(window.startMs, 'UTC'),
    endTime: toApiTime(window.endMs, 'UTC'),
    timeZone: 'UTC',
    pageSize: String(task.pageSize),
  };
  if (task.scrollId !== undefined) params.scrollId = task.scrollId;
  if (task.table === 'call-legs') {
    params.isConnectTime = String(task.isConnectTime);
    params.isSimplified = String(task.isSimplified);
  }
  return { table: task.table, path: apiPath(task.table), params };
}
