import { type ApiPage, parseApiPage } from '../core/api-page.js';
import { messageOf } from '../core/errors.js';
import type { PageQuery } from '../core/page-query.js';
import { apiPath } from '../core/tables.js';
import { parseJson, readAnswer } from './wa-answers.js';
import { buildSearch } from './wa-search.js';

/** One report answer as the API gave it: no retry, no interpretation beyond parsing a 200's page. */
export interface RawReport {
  status: number;
  retryAfter: string | null;
  text: string;
  elapsedMs: number;
  /** The page of a 200 whose body is a report page. */
  page?: ApiPage;
}

export interface RawReportOptions {
  baseUrl: string;
  apiKey: string;
  token: string;
  fetch?: typeof fetch;
  /** Aborts the request (default: 30 s). */
  signal?: AbortSignal;
}

/**
 * Sends one report request exactly once and returns what came back, status and `Retry-After` included: what
 * `walake probe` measures, and what the retrying client (`WorkAnalyticsClient`) deliberately hides. A network
 * failure or timeout is status 0 with the error's message as text.
 */
export async function rawReport(query: PageQuery, options: RawReportOptions): Promise<RawReport> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}${apiPath(query.table)}?${buildSearch(query)}`;
  const started = performance.now();
  try {
    const answer = await readAnswer(
      await (options.fetch ?? fetch)(url, {
        headers: {
          authorization: `Bearer ${options.token}`,
          '8x8-apikey': options.apiKey,
          accept: 'application/json',
        },
        signal: options.signal ?? AbortSignal.timeout(30_000),
      }),
    );
    const report: RawReport = { ...answer, elapsedMs: Math.round(performance.now() - started) };
    if (answer.status === 200) {
      try {
        report.page = parseApiPage(parseJson(answer.text));
      } catch {
        // A 200 that is not a page: the caller sees the status and the text.
      }
    }
    return report;
  } catch (error) {
    return {
      status: 0,
      retryAfter: null,
      text: `no answer: ${messageOf(error)}`,
      elapsedMs: Math.round(performance.now() - started),
    };
  }
}
