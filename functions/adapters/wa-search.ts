import { toApiTime } from '../core/api-time.js';
import type { PageQuery } from '../core/page-query.js';
import { MAX_PAGE_SIZE } from '../core/page-task.js';
import { InvalidQueryError } from './wa-errors.js';

const MAX_FILTER_VALUES = 125;

/** Validates a query and renders its URL parameters; throws InvalidQueryError naming the parameter. */
export function buildSearch(query: PageQuery): string {
  const fail = (message: string): never => {
    throw new InvalidQueryError(message);
  };
  if (!Number.isInteger(query.pageSize) || query.pageSize < 1 || query.pageSize > MAX_PAGE_SIZE) {
    fail(`pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${query.pageSize}`);
  }
  if (!(query.startMs < query.endMs)) fail('startTime must be before endTime');
  if (
    query.table === 'call-records' &&
    (query.isConnectTime !== undefined || query.isSimplified !== undefined)
  ) {
    fail('isConnectTime and isSimplified are valid for call legs only: leave them out for call records');
  }
  if (query.pbx !== 'allpbxes' && query.pbx.length === 0)
    fail('pbxId needs at least one PBX id, or allpbxes');
  if (query.callerOrCallee && (query.caller || query.callee)) {
    fail('callerOrCallee cannot be combined with caller or callee');
  }
  const timeZone = query.timeZone ?? 'UTC';
  let startTime = '';
  let endTime = '';
  try {
    // toApiTime keeps one formatter per zone, and refuses a zone Intl does not know.
    startTime = toApiTime(query.startMs, timeZone);
    endTime = toApiTime(query.endMs, timeZone);
  } catch {
    fail(`timeZone must be an IANA zone such as UTC or America/New_York, got ${timeZone}`);
  }
  const params = new URLSearchParams({
    pbxId: query.pbx === 'allpbxes' ? 'allpbxes' : query.pbx.join(','),
    startTime,
    endTime,
    timeZone,
    pageSize: String(query.pageSize),
  });
  for (const name of ['caller', 'callee', 'callerOrCallee'] as const) {
    const values = query[name];
    if (!values) continue;
    if (values.length === 0 || values.length > MAX_FILTER_VALUES) {
      fail(`${name} takes 1 to ${MAX_FILTER_VALUES} values, got ${values.length}`);
    }
    params.set(name, values.join(','));
  }
  if (query.isConnectTime !== undefined) params.set('isConnectTime', String(query.isConnectTime));
  if (query.isSimplified !== undefined) params.set('isSimplified', String(query.isSimplified));
  if (query.scrollId !== undefined) params.set('scrollId', query.scrollId);
  return params.toString();
}
