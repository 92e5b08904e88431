import type { CallData } from '../call-builder.js';
import type { SimContext } from '../report-endpoint.js';
import { visibleMatches } from '../scroll-quirks.js';
import { offsetAt } from '../time-zone.js';

const DAY_MS = 86_400_000;

/** What a summary request counts: its PBXes, its interval (whole seconds, end second included) and zone. */
export interface SummaryScope {
  pbxIndexes: number[];
  startMs: number;
  endMs: number;
  timeZone: string;
  /** Seconds of the local day, both included: only calls whose time of day lies in them (rgsum-groups). */
  intraDay?: { fromS: number; toS: number } | undefined;
}

/**
 * The calls a summary counts, per PBX in the account's order: those whose `summaryTimeField` lies in
 * `[startMs, endMs + 1 s)` and that `/v2/call-records` would serve now (ended, past any late-data delay, inside
 * the retention, not held back by the ingest delay). PBXes without a call are left out.
 */
export function summaryCalls(ctx: SimContext, scope: SummaryScope): Map<string, CallData[]> {
  const matches = ctx.engine.select(
    {
      table: 'call-records',
      pbxIndexes: scope.pbxIndexes,
      fromMs: scope.startMs,
      toMs: scope.endMs + 1000,
      field: ctx.summaryTimeField,
      isSimplified: false,
    },
    ctx.now(),
  );
  const byPbx = new Map<string, CallData[]>();
  for (const m of visibleMatches(ctx.quirks, matches)) {
    if (scope.intraDay && !withinDay(m.f, scope.timeZone, scope.intraDay)) continue;
    const call = ctx.dataset.call(m.row.callId);
    if (!call) throw new Error(`summary: call ${m.row.callId} is not in the data set`);
    const calls = byPbx.get(call.pbxId) ?? [];
    calls.push(call);
    byPbx.set(call.pbxId, calls);
  }
  ctx.quirks.answered++;
  return new Map(ctx.pbxIds.flatMap((id) => (byPbx.has(id) ? [[id, byPbx.get(id) ?? []]] : [])));
}

function withinDay(instant: number, zone: string, range: { fromS: number; toS: number }): boolean {
  const local = instant + offsetAt(zone, instant);
  const second = Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 1000);
  return second >= range.fromS && second <= range.toS;
}

/** `floor(total / count)`, 0 when there is nothing to average: how every summary average is taken. */
export function avg(total: number, count: number): number {
  return count > 0 ? Math.floor(total / count) : 0;
}

/** A whole percent, rounded; 0 of 0 is 0. */
export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((100 * part) / whole) : 0;
}

/** Whether a number is an outside party's (E.164, `+…`) rather than an extension of the PBX. */
export function isOutside(number: string): boolean {
  return number.startsWith('+');
}
