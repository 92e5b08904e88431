import { type ApiPage, endsChain, parseApiPage } from '../core/api-page.js';
import type { PageQuery } from '../core/page-query.js';
import { apiPath } from '../core/tables.js';
import type { TokenProvider } from './token-provider.js';
import { answerDetail, errorForAnswer, isTransient, parseJson, readAnswer } from './wa-answers.js';
import {
  MalformedAnswerError,
  PbxListAccessError,
  RetriesExhaustedError,
  redact,
  type WorkAnalyticsError,
} from './wa-errors.js';
import { collectPbxes, PBXES_PATH, type PbxList, parsePbxPage, pbxPagePath } from './wa-pbxes.js';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryEvent,
  realRetryDeps,
  type Transport,
  withRetries,
} from './wa-retry.js';
import { buildSearch } from './wa-search.js';

export const DEFAULT_BASE_URL = 'https://api.8x8.com/analytics/work';

/** A validated page answer. `done` marks the end of the chain: scrollId "No Data" or no rows. */
export interface PageAnswer extends ApiPage {
  readonly done: boolean;
}

export interface ClientOptions extends Transport {
  baseUrl: string;
  apiKey: string;
  tokens: TokenProvider;
}

/** One GET of the client: where, until when, how to read a 200, and the refusals specific to it. */
interface GetSpec<T> {
  path: string;
  search: string;
  deadlineMs: number | undefined;
  parse: (body: unknown) => T;
  /** The request carried a scrollId: a plain 400 then means the cursor was refused. */
  afterScroll?: boolean;
  /** A 403 that does not mean "this PBX is denied". */
  forbidden?: (detail: string) => WorkAnalyticsError;
  /** Malformed 200s outlasted the retries: a typed error instead of the retryable `RetriesExhaustedError`. */
  malformed?: (detail: string, attempts: string) => WorkAnalyticsError;
  /** Told of this request's retries, besides the client's own listener. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** The 8x8 Work Analytics client: the two paginated reports, and the account's PBX list. */
export class WorkAnalyticsClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * Fetches one page. Transient failures are retried within the policy and before `deadlineMs`; a 401 leads
   * to one new login and one more try. Refusals become typed errors that say what to do.
   */
  async fetchPage(
    query: PageQuery,
    opts: { deadlineMs?: number; onRetry?: (event: RetryEvent) => void } = {},
  ): Promise<PageAnswer> {
    return this.get({
      path: apiPath(query.table),
      search: buildSearch(query),
      deadlineMs: opts.deadlineMs,
      onRetry: opts.onRetry,
      afterScroll: query.scrollId !== undefined,
      parse: (body) => {
        const page = parseApiPage(body);
        return { ...page, done: endsChain(page) };
      },
    });
  }

  /**
   * Every PBX of the account (`GET /v2/pbxes/`, all pages) with the reports' login, retries and typed refusals.
   * `names` are what reports take as pbxId, deleted PBXes left out.
   * @throws PbxListAccessError on a 403; MalformedAnswerError when the answers stay something else than a list.
   */
  async listPbxes(opts: { deadlineMs?: number } = {}): Promise<PbxList> {
    return collectPbxes((page) =>
      this.get({
        path: PBXES_PATH,
        search: pbxPagePath(page),
        deadlineMs: opts.deadlineMs,
        parse: parsePbxPage,
        forbidden: (detail) => new PbxListAccessError(detail),
        malformed: (detail, attempts) => new MalformedAnswerError(PBXES_PATH, detail, attempts),
      }),
    );
  }

  private async get<T>(spec: GetSpec<T>): Promise<T> {
    const url = `${this.options.baseUrl}${spec.path}?${spec.search}`;
    const { tokens, apiKey } = this.options;
    const deps = this.options.deps ?? realRetryDeps;
    let reloggedIn = false;
    let malformed: string | undefined;
    try {
      return await withRetries<T>(
        async (signal) => {
          malformed = undefined;
          const token = await tokens.token(spec.deadlineMs);
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
              retry: `${spec.path} answered ${answer.status}`,
              retryAfterMs: parseRetryAfter(answer.retryAfter, deps.now()),
              status: answer.status,
            };
          }
          if (answer.status === 403 && spec.forbidden) {
            throw spec.forbidden(answerDetail(answer, tokens.secrets()));
          }
          if (answer.status !== 200)
            throw errorForAnswer(answer, tokens.secrets(), spec.afterScroll === true);
          try {
            return { value: spec.parse(parseJson(answer.text)) };
          } catch (cause) {
            // A truncated body is transient, and so may be one of another shape (a proxy's): both are retried.
            malformed = redact(cause instanceof Error ? cause.message : String(cause), tokens.secrets());
            return { retry: `${spec.path} answered 200 with a malformed body` };
          }
        },
        {
          policy: this.options.policy ?? DEFAULT_RETRY_POLICY,
          deps,
          deadlineMs: spec.deadlineMs,
          onRetry: (event) => {
            this.options.onRetry?.(event);
            spec.onRetry?.(event);
          },
        },
      );
    } catch (error) {
      if (error instanceof RetriesExhaustedError && malformed !== undefined && spec.malformed) {
        throw spec.malformed(malformed, error.message);
      }
      throw error;
    }
  }
}
