import { z } from 'zod';
import type { Table } from '../core/tables.js';
import { toApiTime } from '../core/windows.js';
import type { TokenProvider } from './token-provider.js';
import { errorForAnswer, isTransient, parseJson, readAnswer } from './wa-answers.js';
import { InvalidQueryError } from './wa-errors.js';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryDeps,
  type RetryEvent,
  type RetryPolicy,
  realRetryDeps,
  withRetries,
} from './wa-retry.js';

export const DEFAULT_BASE_URL = 'https://api.8x8.com/analytics/work';
export const MAX_PAGE_SIZE = 7000;
const MAX_FILTER_VALUES = 125;

/** One page request of `/v2/call-legs` or `/v2/call-records`, with every documented parameter. */
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

/** A validated page answer. `done` marks the end of the chain: scrollId "No Data" or no rows. */
export interface PageAnswer {
  totalRecordCount: number;
  scrollId: string;
  data: Record<string, unknown>[];
  done: boolean;
}

const pageSchema = z.object({
  meta: z.object({ totalRecordCount: z.number().int().nonnegative(), scrollId: z.string().min(1) }),
  // Rows are checked to be objects but not copied: they are normalized later by the table's record schema.
  data: z.array(
    z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
  ),
});

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  tokens: TokenProvider;
  fetch?: typeof fetch;
  policy?: RetryPolicy;
  deps?: RetryDeps;
  onRetry?: (event: RetryEvent) => void;
}

/** The 8x8 Work Analytics Historical client for the two paginated reports. */
export class WorkAnalyticsClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * Fetches one page. Transient failures are retried within the policy and before `deadlineMs`; a 401 leads
   * to one new login and one more try. Refusals become typed errors that say what to do.
   */
  async fetchPage(query: PageQuery, opts: { deadlineMs?: number } = {}): Promise<PageAnswer> {
    const url = `${this.options.baseUrl}${pathOf(query.table)}?${buildSearch(query)}`;
    const { tokens, apiKey } = this.options;
    const deps = this.options.deps ?? realRetryDeps;
    let reloggedIn = false;
    return withRetries<PageAnswer>(
      async (signal) => {
        const token = await tokens.token(opts.deadlineMs);
        const answer = await readAnswer(
          await this.fetchImpl(url, {
            headers: { authorization: `Bearer ${token}`, '8x8-apikey': apiKey, accept: 'application/json' },
            signal,
          }),
        );
        if (answer.status === 401 && !reloggedIn) {
          reloggedIn = true;
          tokens.invalidate(token);
          return { retry: 'token refused (401): logged in again', retryAfterMs: 0 };
        }
        if (isTransient(answer.status)) {
          return {
            retry: `${pathOf(query.table)} answered ${answer.status}`,
            retryAfterMs: parseRetryAfter(answer.retryAfter, deps.now()),
          };
        }
        if (answer.status !== 200)
          throw errorForAnswer(answer, tokens.secrets(), query.scrollId !== undefined);
        const parsed = pageSchema.safeParse(parseJson(answer.text));
        if (!parsed.success) return { retry: `${pathOf(query.table)} answered 200 with a malformed body` };
        const { meta, data } = parsed.data;
        return {
          value: {
            totalRecordCount: meta.totalRecordCount,
            scrollId: meta.scrollId,
            data,
            done: meta.scrollId === 'No Data' || data.length === 0,
          },
        };
      },
      {
        policy: this.options.policy ?? DEFAULT_RETRY_POLICY,
        deps,
        deadlineMs: opts.deadlineMs,
        onRetry: this.options.onRetry,
      },
    );
  }
}

function pathOf(table: Table): string {
  return table === 'call-legs' ? '/v2/call-legs' : '/v2/call-records';
}

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
  if (!isTimeZone(timeZone))
    fail(`timeZone must be an IANA zone such as UTC or America/New_York, got ${timeZone}`);
  const params = new URLSearchParams({
    pbxId: query.pbx === 'allpbxes' ? 'allpbxes' : query.pbx.join(','),
    startTime: toApiTime(query.startMs, timeZone),
    endTime: toApiTime(query.endMs, timeZone),
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

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
