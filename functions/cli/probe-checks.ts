import type { PbxList } from '../adapters/wa-pbxes.js';
import type { RawReport } from '../adapters/wa-raw.js';
import { endsChain, NO_DATA } from '../core/api-page.js';
import type { PageQuery } from '../core/page-query.js';
import { MAX_PAGE_SIZE } from '../core/page-task.js';
import type { Table } from '../core/tables.js';

export const HOUR_MS = 3_600_000;

/** What the probe runs on: one raw request, a clock and a sleep (both injected, so tests need not wait). */
export interface ProbeDeps {
  request(query: PageQuery, signal?: AbortSignal): Promise<RawReport>;
  /** The account's PBXes (`GET /v2/pbxes/`). */
  listPbxes(): Promise<PbxList>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Removes secrets from text quoted from an answer. */
  redact(text: string): string;
}

export interface PageSizeResult {
  /** The largest accepted, null when the search was inconclusive (neither 200 nor 400). */
  max: number | null;
  tried: { pageSize: number; status: number }[];
  refusal?: string;
  /**
   * What a page of the largest accepted size really held, over the last 7 days: a server may accept `pageSize`
   * and serve fewer rows without saying so. Absent when no page size was accepted or the request failed.
   */
  served?: ServedPageSize;
}

/** Rows a page held (`held`) when `asked` were asked and `total` matched: `held < asked, total` is a clamp. */
export interface ServedPageSize {
  asked: number;
  held: number;
  total: number;
}

export interface ScrollResult {
  measured: boolean;
  note: string;
  replays: { afterSeconds: number; status: number; samePage: boolean }[];
}

/** The query of a probe step: whole seconds, all PBXes, UTC. */
export function probeQuery(table: Table, startMs: number, endMs: number, pageSize: number): PageQuery {
  return {
    table,
    pbx: 'allpbxes',
    startMs: Math.floor(startMs / 1000) * 1000,
    endMs: Math.floor(endMs / 1000) * 1000,
    timeZone: 'UTC',
    pageSize,
  };
}

/** A request that waits out throttling and server errors (Retry-After up to 10 s), 4 tries at most. */
export async function steadyRequest(deps: ProbeDeps, query: PageQuery): Promise<RawReport> {
  let answer = await deps.request(query);
  for (let tries = 1; tries < 4 && (answer.status === 429 || answer.status >= 500); tries++) {
    const seconds = Number(answer.retryAfter);
    await deps.sleep(Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : 1000);
    answer = await deps.request(query);
  }
  return answer;
}

/** The largest pageSize accepted: 7000 first, then a binary search on 400s (16 requests at most). */
export async function probePageSize(deps: ProbeDeps, table: Table): Promise<PageSizeResult> {
  const now = deps.now();
  const result: PageSizeResult = { max: null, tried: [] };
  const accepts = async (pageSize: number): Promise<boolean | undefined> => {
    const answer = await steadyRequest(deps, probeQuery(table, now - HOUR_MS, now, pageSize));
    result.tried.push({ pageSize, status: answer.status });
    if (answer.status === 400) result.refusal = deps.redact(answer.text).slice(0, 300);
    return answer.status === 200 ? true : answer.status === 400 ? false : undefined;
  };
  const measured = async (): Promise<PageSizeResult> => {
    if (result.max === null) return result;
    const answer = await steadyRequest(deps, probeQuery(table, now - 7 * 24 * HOUR_MS, now, result.max));
    if (answer.page) {
      const { data, totalRecordCount } = answer.page;
      result.served = { asked: result.max, held: data.length, total: totalRecordCount };
    }
    return result;
  };
  const top = await accepts(MAX_PAGE_SIZE);
  if (top !== false) {
    result.max = top ? MAX_PAGE_SIZE : null;
    return measured();
  }
  let [accepted, refused] = [0, MAX_PAGE_SIZE];
  while (refused - accepted > 1 && result.tried.length < 16) {
    const mid = Math.floor((accepted + refused) / 2);
    const ok = await accepts(mid);
    if (ok === undefined) return result;
    if (ok) accepted = mid;
    else refused = mid;
  }
  result.max = refused - accepted === 1 ? accepted : null;
  return measured();
}

/** The served page size as a line of the probe's report, with what to set. */
export function describeServed(served: ServedPageSize | undefined): string {
  if (!served) return 'served page size: not measured (no page size was accepted, or the request failed)';
  const { asked, held, total } = served;
  if (held >= asked) return `served page size: pages hold the ${asked} rows asked`;
  if (held >= total) {
    return `served page size: all ${total} rows of the last 7 days fit one page of ${asked}, so a smaller served size could not be seen`;
  }
  return (
    `served page size: a page holds ${held} rows although ${asked} were asked and ${total} matched: the server ` +
    `clamps pageSize silently. walake's page cap follows the rows pages hold, but set pageSize (cdk context) or ` +
    `--page-size to ${held} so that its requests say what they get`
  );
}

/**
 * Whether a scrollId can be replayed, and for how long: page 2 of the last 7 days at pageSize 1, fetched with
 * page 1's scrollId again after each delay, compared with the first fetch.
 */
export async function probeScroll(
  deps: ProbeDeps,
  table: Table,
  delaysSeconds: number[],
): Promise<ScrollResult> {
  const now = deps.now();
  const query = probeQuery(table, now - 7 * 24 * HOUR_MS, now, 1);
  const first = await steadyRequest(deps, query);
  const scrollId = first.page?.scrollId;
  if (!first.page || !scrollId || endsChain(first.page)) {
    const why = first.page ? 'no rows in the last 7 days' : `page 1 answered ${first.status}`;
    return { measured: false, note: `not measured: ${why}`, replays: [] };
  }
  const again = { ...query, scrollId };
  const second = await steadyRequest(deps, again);
  if (!second.page || second.page.scrollId === NO_DATA) {
    const why = second.page ? 'only one row in the last 7 days' : `page 2 answered ${second.status}`;
    return { measured: false, note: `not measured: ${why}`, replays: [] };
  }
  const baseline = JSON.stringify(second.page);
  const started = deps.now();
  const replays: ScrollResult['replays'] = [];
  for (const delay of delaysSeconds) {
    await deps.sleep(Math.max(0, started + delay * 1000 - deps.now()));
    const replay = await steadyRequest(deps, again);
    replays.push({
      afterSeconds: delay,
      status: replay.status,
      samePage: replay.page !== undefined && JSON.stringify(replay.page) === baseline,
    });
  }
  const broken = replays.find((r) => !r.samePage);
  const note = broken
    ? `replaying page 1's scrollId failed after ${broken.afterSeconds} s (${broken.status === 200 ? 'another page came back' : `status ${broken.status}`})`
    : `a scrollId can be replayed: the same page 2 came back after ${delaysSeconds.join(', ')} s`;
  return { measured: true, note, replays };
}
