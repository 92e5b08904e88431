import * as z from 'zod/mini';
import type { ChainDone } from './chain-step.js';
import { ChainIdSchema, PbxScopeSchema, WindowIdSchema } from './page-task.js';
import { TABLES, type Table } from './tables.js';
import { parseWindowId, type Window, windowId } from './windows.js';
import './zod.js';

const MINUTE_MS = 60_000;

const count = z.int().check(z.nonnegative());
/** A count that entries written before it existed lack: 0. */
const newCount = z._default(count, 0);

/**
 * How the rows a chain kept compare with the total the API announced on its first page, and what it met on
 * the way. `match` only when every row the API counted is accounted for and none contradicted the filter.
 */
export const ReconciliationSchema = z.strictObject({
  verdict: z.enum(['match', 'mismatch']),
  received: count,
  apiTotal: count,
  droppedAtEdges: count,
  /** Of `droppedAtEdges`, rows of the second before the window (each request starts a second early). */
  droppedBeforeStart: newCount,
  /** Rows outside the window that contradict the filter field: in `quarantine/`, never in the table. */
  quarantined: newCount,
  /** Kept rows with a value that did not fit its column (kept in `extra`): schema drift, not a loss. */
  typeMismatches: newCount,
  /** Kept rows without an identity (no call id): never de-duplicated. */
  unidentified: newCount,
  explanation: z.string(),
});

/** A reconciliation verdict with the numbers behind it. */
export type Reconciliation = z.infer<typeof ReconciliationSchema>;

const base = {
  v: z.literal(1),
  table: z.enum(TABLES),
  window: WindowIdSchema,
  startMs: z.int(),
  endMs: z.int(),
  pbx: PbxScopeSchema,
  attempt: z.int().check(z.positive()),
  /** The current chain's unique id: only that chain may publish the window (absent in older entries). */
  chain: z.optional(ChainIdSchema),
  /** Restarts of the window since it was last started by the planner or an operator (rejected cursors). */
  restarts: newCount,
  startedAt: z.iso.datetime(),
  /** The last sign of progress of the current chain (a page fetched): staleness is measured from it. */
  heartbeatAt: z.optional(z.iso.datetime()),
  /** Times the window failed since it was last published: the planner's retries back off by it. */
  failures: newCount,
  /**
   * A chain that is writing the window's lake object. A newer chain waits until it is done (or stale), so
   * an older object can never land over a newer one.
   */
  publishing: z.optional(z.strictObject({ chain: ChainIdSchema, since: z.iso.datetime() })),
  /** The task (its dedup id) that restarted the window: its redelivery resumes the restart, once. */
  origin: z.optional(z.string().check(z.maxLength(200))),
  /**
   * The API's total of the window's last publication, when that chain ended on its last data page: the next
   * publication compares its own total with it (see `earlyEndRevised`).
   */
  earlyEndedTotal: z.optional(count),
};

/**
 * The ledger entry of a window (one object per window, at `ledgerKey`). `running` is written when a chain
 * starts, so the planner does not start another; `published` when its window object is in the lake.
 */
export const LedgerEntrySchema = z
  .discriminatedUnion('status', [
    z.strictObject({ ...base, status: z.literal('running') }),
    z.strictObject({
      ...base,
      status: z.literal('published'),
      finishedAt: z.iso.datetime(),
      pages: z.int().check(z.nonnegative()),
      rows: z.int().check(z.nonnegative()),
      firstPageTotal: z.int().check(z.nonnegative()),
      reconciliation: ReconciliationSchema,
      settled: z.boolean(),
      /** The chain ended on its last data page, without asking for `No Data` (`endsOnLastDataPage`). */
      endedEarly: z.optional(z.boolean()),
      /**
       * The previous publication ended early and this pull's total disagrees with its total: the early end
       * was contradicted (rows arrived late, or the API served a short page before the last). Counted.
       */
      earlyEndRevised: z.optional(z.strictObject({ was: count, now: count })),
    }),
    z.strictObject({
      ...base,
      status: z.literal('failed'),
      failedAt: z.iso.datetime(),
      /** Why, and what to do: e.g. the restart cap was reached on a cursor the API kept refusing. */
      reason: z.string(),
    }),
  ])
  .check(
    z.refine(
      (e) => {
        const w = parseWindowId(e.window);
        return w.startMs === e.startMs && w.endMs === e.endMs;
      },
      { error: 'startMs and endMs must match the window id' },
    ),
  );

/** A ledger entry, running or published. */
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** What a chain counted, for {@link reconcile}. */
export interface ChainCounts {
  /** Rows published (after de-duplication). */
  received: number;
  /** Rows dropped at the edges: the second before the window and its end second. */
  droppedAtEdges: number;
  droppedBeforeStart?: number;
  quarantined?: number;
  typeMismatches?: number;
  unidentified?: number;
  apiTotal: number;
}

/**
 * Compares what a chain kept with the API's first-page total. That total counts the whole request (a second
 * before the window to its inclusive end second), so the books balance when kept + dropped at the edges +
 * quarantined = total. Any quarantined row is a mismatch, whatever the sum: it contradicts the filter field.
 */
export function reconcile(counts: ChainCounts): Reconciliation {
  const { received, droppedAtEdges, apiTotal } = counts;
  const quarantined = counts.quarantined ?? 0;
  const sum = received + droppedAtEdges + quarantined;
  const books =
    `${received} rows kept + ${droppedAtEdges} dropped at the window edges` +
    `${quarantined ? ` + ${quarantined} quarantined` : ''} = ${sum}`;
  const total = `the first page's totalRecordCount ${apiTotal} (it counts the whole request, edges included)`;
  const balance =
    sum === apiTotal
      ? `${books}, equal to ${total}`
      : sum > apiTotal
        ? `${books}, more than ${total}: calls that ended while the chain ran (late data); ` +
          'a settled re-pull will count them'
        : `${books}, fewer than ${total}: rows were lost between pages; re-pull the window`;
  const explanation = quarantined
    ? `${balance}. ${quarantined} rows lie outside the window on the configured filter field: they are in ` +
      'quarantine/, not in the table. Run `walake probe` to measure which field the report filters on, set ' +
      'it, then rerun the window'
    : balance;
  return {
    verdict: sum === apiTotal && quarantined === 0 ? 'match' : 'mismatch',
    received,
    apiTotal,
    droppedAtEdges,
    droppedBeforeStart: counts.droppedBeforeStart ?? 0,
    quarantined,
    typeMismatches: counts.typeMismatches ?? 0,
    unidentified: counts.unidentified ?? 0,
    explanation,
  };
}

/** Whether a pull that started at `pullStartedAtMs` saw the window settled: `settleMinutes` after its end. */
export function isSettled(window: Window, pullStartedAtMs: number, settleMinutes: number): boolean {
  return pullStartedAtMs >= window.endMs + settleMinutes * MINUTE_MS;
}

/** The entry of a chain that has just started. */
export function runningEntry(
  chain: {
    table: Table;
    window: Window;
    pbx: LedgerEntry['pbx'];
    attempt: number;
    chain?: string;
    restarts?: number;
    publishing?: LedgerEntry['publishing'];
    origin?: string | undefined;
    failures?: number;
    earlyEndedTotal?: number | undefined;
  },
  startedAtMs: number,
): LedgerEntry {
  const { table, window, pbx, attempt, restarts = 0, publishing, origin, failures = 0 } = chain;
  const { earlyEndedTotal } = chain;
  return LedgerEntrySchema.parse({
    v: 1,
    table,
    window: windowId(window),
    startMs: window.startMs,
    endMs: window.endMs,
    pbx,
    attempt,
    ...(chain.chain ? { chain: chain.chain } : {}),
    restarts,
    failures,
    startedAt: new Date(startedAtMs).toISOString(),
    ...(publishing ? { publishing } : {}),
    ...(origin ? { origin } : {}),
    ...(earlyEndedTotal !== undefined ? { earlyEndedTotal } : {}),
    status: 'running',
  });
}

/** The fields every status shares, from an entry (without its lease or heartbeat). */
function baseOf(entry: LedgerEntry) {
  const { v, table, window, startMs, endMs, pbx, attempt, chain, restarts, failures, startedAt } = entry;
  const named = chain ? { chain } : {};
  return { v, table, window, startMs, endMs, pbx, attempt, ...named, restarts, failures, startedAt };
}

/**
 * The early-ended total a window's next chain compares with: that of its last publication if it ended
 * early, else whatever the entry carries from before (a chain that failed or was superseded compared nothing).
 */
export function earlyEndedTotalOf(entry: LedgerEntry | undefined): number | undefined {
  if (entry?.status === 'published') return entry.endedEarly ? entry.firstPageTotal : undefined;
  return entry?.earlyEndedTotal;
}

/** When the current chain last showed progress: its heartbeat, else its start. */
export function lastProgressMs(entry: LedgerEntry): number {
  return Date.parse(entry.heartbeatAt ?? entry.startedAt);
}

/** The entry of a published window, from its running entry and the chain's totals. */
export function publishedEntry(
  running: LedgerEntry,
  done: Pick<ChainDone, 'pages' | 'rows' | 'dropped' | 'firstPageTotal'> &
    Partial<ChainDone> & { unidentified?: number },
  finishedAtMs: number,
  settleMinutes: number,
): LedgerEntry {
  const { startMs, endMs, startedAt, earlyEndedTotal } = running;
  const revised =
    earlyEndedTotal !== undefined && earlyEndedTotal !== done.firstPageTotal
      ? { earlyEndRevised: { was: earlyEndedTotal, now: done.firstPageTotal } }
      : {};
  return LedgerEntrySchema.parse({
    ...baseOf(running),
    failures: 0,
    status: 'published',
    finishedAt: new Date(finishedAtMs).toISOString(),
    pages: done.pages,
    rows: done.rows,
    firstPageTotal: done.firstPageTotal,
    reconciliation: reconcile({
      received: done.rows,
      droppedAtEdges: done.dropped,
      droppedBeforeStart: done.before,
      quarantined: done.quarantined,
      typeMismatches: done.mismatched,
      unidentified: done.unidentified,
      apiTotal: done.firstPageTotal,
    }),
    settled: isSettled({ startMs, endMs }, Date.parse(startedAt), settleMinutes),
    ...(done.endedEarly ? { endedEarly: true } : {}),
    ...revised,
  });
}

/** The entry of a window given up on: why, and what to do, for `walake status` and the alarm. */
export function failedEntry(current: LedgerEntry, reason: string, failedAtMs: number): LedgerEntry {
  return LedgerEntrySchema.parse({
    ...baseOf(current),
    ...(current.earlyEndedTotal !== undefined ? { earlyEndedTotal: current.earlyEndedTotal } : {}),
    failures: current.failures + 1,
    status: 'failed',
    failedAt: new Date(failedAtMs).toISOString(),
    reason,
  });
}
