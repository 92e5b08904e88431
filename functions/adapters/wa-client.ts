import { type ApiPage, NO_DATA, parseApiPage } from '../core/api-page.js';
import type { PageQuery } from '../core/page-query.js';
import { MAX_PAGE_SIZE } from '../core/page-task.js';
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
const MAX_FILTER_VALUES = 125;

/** A validated page answer. `done` marks the end of the chain: scrollId "No Data" or no rows. */
export interface PageAnswer extends ApiPage {
  readonly done: boolean;
}

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
        let page: ApiPage;
        try {
          page = parseApiPage(parseJson(answer.text));
        } catch {
          return { retry: `${pathOf(query.table)} answered 200 with a malformed body` };
        }
        return { value: { ...page, done: page.scrollId === NO_DATA || page.data.length === 0 } };
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
