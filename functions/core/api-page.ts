import * as z from 'zod/mini';
import { WalakeError } from './errors.js';
import { describeIssues } from './zod.js';

/** The scrollId with which the API says a chain has no more pages. */
export const NO_DATA = 'No Data';

/** Whether a page ends its chain: the API's `No Data`, or a page without rows. The one place that says so. */
export function endsChain(page: Pick<ApiPage, 'scrollId' | 'data'>): boolean {
  return page.scrollId === NO_DATA || page.data.length === 0;
}

/** One page of a report, flattened from the API's `{ meta: { totalRecordCount, scrollId }, data }`. */
export interface ApiPage {
  /** Rows of the whole request on the first page; 0 on the final `No Data` answer. */
  readonly totalRecordCount: number;
  readonly scrollId: string;
  /** Raw rows, normalized later by `normalizeRow`: a bad row must name its field, not fail the envelope. */
  readonly data: readonly Record<string, unknown>[];
}

const ApiBodySchema = z.object({
  meta: z.object({ totalRecordCount: z.int().check(z.nonnegative()), scrollId: z.string() }),
  // Rows must be objects but are not copied here: `normalizeRow` reads each one once, later.
  data: z.array(
    z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
      error: 'a row object',
    }),
  ),
});

/** The API answered 200 with a body that is not a report page; the message names the field. */
export class ApiPageError extends WalakeError {
  override readonly name = 'ApiPageError';
  override readonly retryable = true;
}

/**
 * Reads a report response body (parsed JSON) into an {@link ApiPage}.
 * @throws ApiPageError when `meta` or `data` is missing or mistyped.
 */
export function parseApiPage(body: unknown): ApiPage {
  const parsed = ApiBodySchema.safeParse(body);
  if (!parsed.success) {
    const detail = describeIssues(parsed.error.issues);
    throw new ApiPageError(`report response is not a page (${detail}); check the endpoint and its version`);
  }
  const { meta, data } = parsed.data;
  return { totalRecordCount: meta.totalRecordCount, scrollId: meta.scrollId, data };
}
