import { endsChain } from '../core/api-page.js';
import { MAX_PAGE_SIZE } from '../core/page-task.js';
import type { Table } from '../core/tables.js';
import { filterTimeOf } from '../core/window-rows.js';
import { HOUR_MS, type ProbeDeps, probeQuery, steadyRequest } from './probe-checks.js';

/** The probe's checks of live traffic: how soon legs appear, and what throttling looks like. */

export interface VisibilityResult {
  legs: number;
  newestDisconnect: string | null;
  lagSeconds: number | null;
  pages: number;
  /** Why the walk stopped early, when a page was refused. */
  note?: string;
}

export interface BurstResult {
  requests: number;
  statuses: Record<string, number>;
  retryAfter: string[];
  elapsedMs: number;
  sample429?: string;
}

/**
 * How soon legs appear: the newest disconnect time of the call legs of the last hour (5 pages at most, of the
 * largest page size found). A refused page ends the walk with a note instead of failing the probe.
 */
export async function probeVisibility(deps: ProbeDeps, pageSize = MAX_PAGE_SIZE): Promise<VisibilityResult> {
  const now = deps.now();
  const query = probeQuery('call-legs', now - HOUR_MS, now, pageSize);
  const result: VisibilityResult = { legs: 0, newestDisconnect: null, lagSeconds: null, pages: 0 };
  let newest = 0;
  let scrollId: string | undefined;
  while (result.pages < 5) {
    const answer = await steadyRequest(deps, scrollId ? { ...query, scrollId } : query);
    if (!answer.page) {
      result.note = `page ${result.pages + 1} answered ${answer.status}: ${deps.redact(answer.text).slice(0, 200)}`;
      break;
    }
    result.pages++;
    for (const row of answer.page.data) {
      result.legs++;
      // A leg without a disconnect time says nothing about the delay.
      newest = Math.max(newest, filterTimeOf(row, 'disconnectedTimeUTC') ?? 0);
    }
    // A short page is the last one: no need to ask for the "No Data" answer.
    if (endsChain(answer.page) || answer.page.data.length < pageSize) break;
    scrollId = answer.page.scrollId;
  }
  if (newest > 0) {
    result.newestDisconnect = new Date(newest).toISOString();
    result.lagSeconds = Math.round((now - newest) / 1000);
  }
  return result;
}

/** A short burst of `count` requests at once (30 s at most): what throttling looks like. */
export async function probeBurst(deps: ProbeDeps, table: Table, count: number): Promise<BurstResult> {
  const now = deps.now();
  const query = probeQuery(table, now - HOUR_MS, now, 1);
  const signal = AbortSignal.timeout(30_000);
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: count }, () => deps.request(query, signal)));
  const result: BurstResult = {
    requests: count,
    statuses: {},
    retryAfter: [],
    elapsedMs: Math.round(performance.now() - started),
  };
  for (const a of answers) {
    result.statuses[a.status] = (result.statuses[a.status] ?? 0) + 1;
    if (a.retryAfter !== null && !result.retryAfter.includes(a.retryAfter))
      result.retryAfter.push(a.retryAfter);
    if (a.status === 429 && result.sample429 === undefined)
      result.sample429 = deps.redact(a.text).slice(0, 300);
  }
  return result;
}
