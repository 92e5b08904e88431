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
  /** The totalRecordCount of the chain's last page with rows, where it differed from the first page's. */
  lastApiTotal: z.optional(count),
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

/**
 * What a window's published entry said, kept while a newer chain pulls it again: a re-pull that ends worse
 * (rows quarantined or lost) keeps that window instead of replacing it.
 */
export const PreviousPublishSchema = z.strictObject({
  chain: z.optional(ChainIdSchema),
  attempt: z.int().check(z.positive()),
  pbx: PbxScopeSchema,
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  pages: count,
  rows: count,
  firstPageTotal: count,
  reconciliation: ReconciliationSchema,
  settled: z.boolean(),
});

/** A re-pull that ended worse than the published window, which was kept: what it found, for status and alarms. */
export const RejectedPullSchema = z.strictObject({
  chain: ChainIdSchema,
  attempt: z.int().check(z.positive()),
  at: z.iso.datetime(),
  rows: count,
  reconciliation: ReconciliationSchema,
});

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
  publishing: z.optional(
    z.strictObject({
      chain: ChainIdSchema,
      since: z.iso.datetime(),
      /** The process that took it, where one can be named (a local run): a dead one's lease is broken. */
      holder: z.optional(z.string().check(z.maxLength(200))),
    }),
  ),
  /** The task (its dedup id) that restarted the window: its redelivery resumes the restart, once. */
  origin: z.optional(z.string().check(z.maxLength(200))),
  /** The published window a running or failed chain would replace (see {@link PreviousPublishSchema}). */
  previous: z.optional(PreviousPublishSchema),
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
      /** The last re-pull, if it ended worse than this window and this window was kept. */
      rejected: z.optional(RejectedPullSchema),
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
  /** The total of the chain's latest page with rows (undefined: the same as the first). */
  lastApiTotal?: number;
}

/**
 * Compares what a chain kept with the API's first-page total. That total counts the whole request (a second
 * before the window to its inclusive end second), so the books balance when kept + dropped at the edges +
 * quarantined = total. Any quarantined row is a mismatch, whatever the sum: it contradicts the filter field.
 */
export function reconcile(counts: ChainCounts): Reconciliation {
  const { received, droppedAtEdges, apiTotal } = counts;
  const changed = counts.lastApiTotal !== undefined && counts.lastApiTotal !== apiTotal;
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
  const moved = changed
    ? `. The API's total changed while the chain ran, from ${apiTotal} to ${counts.lastApiTotal}: rows ` +
      'ingested behind the cursor were never served to it. The window stays unsettled, so the planner pulls it ' +
      'again; locally, rerun it'
    : '';
  const explanation = quarantined
    ? `${balance}${moved}. ${quarantined} rows lie outside the window on the configured filter field: they are in ` +
      'quarantine/, not in the table. Run `walake probe` to measure which field the report filters on, set ' +
      'it, then rerun the window'
    : `${balance}${moved}`;
  return {
    verdict: sum === apiTotal && quarantined === 0 && !changed ? 'match' : 'mismatch',
    received,
    apiTotal,
    ...(changed ? { lastApiTotal: counts.lastApiTotal } : {}),
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
    previous?: LedgerEntry['previous'];
    earlyEndedTotal?: number | undefined;
  },
  startedAtMs: number,
): LedgerEntry {
  const { table, window, pbx, attempt, restarts = 0, publishing, origin, failures = 0, previous } = chain;
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
    ...(previous ? { previous } : {}),
    ...(earlyEndedTotal !== undefined ? { earlyEndedTotal } : {}),
    status: 'running',
  });
}

/** What a new chain must remember of the entry it replaces: the published window, if there is one. */
export function previousPublishOf(entry: LedgerEntry | undefined): LedgerEntry['previous'] {
  if (!entry) return undefined;
  if (entry.status !== 'published') return entry.previous;
  const { chain, attempt, pbx, startedAt, finishedAt, pages, rows, firstPageTotal, reconciliation, settled } =
    entry;
  return {
    ...(chain ? { chain } : {}),
    attempt,
    pbx,
    startedAt,
    finishedAt,
    pages,
    rows,
    firstPageTotal,
    reconciliation,
    settled,
  };
}

/** The fields every status shares, from an entry (without its lease or heartbeat). */
function baseOf(entry: LedgerEntry) {
  const { v, table, window, startMs, endMs, pbx, attempt, chain, restarts, failures, startedAt } = entry;
  const named = chain ? { chain } : {};
  const previous = entry.previous ? { previous: entry.previous } : {};
  return {
    v,
    table,
    window,
    startMs,
    endMs,
    pbx,
    attempt,
    ...named,
    restarts,
    failures,
    startedAt,
    ...previous,
  };
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
  const { previous: _replaced, ...base } = baseOf(running);
  const revised =
    earlyEndedTotal !== undefined && earlyEndedTotal !== done.firstPageTotal
      ? { earlyEndRevised: { was: earlyEndedTotal, now: done.firstPageTotal } }
      : {};
  return LedgerEntrySchema.parse({
    ...base,
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
      lastApiTotal: done.lastTotal,
    }),
    // Rows still came in while this pull ran: it did not see the window settled, so the planner pulls it again.
    settled:
      isSettled({ startMs, endMs }, Date.parse(startedAt), settleMinutes) &&
      (done.lastTotal === undefined || done.lastTotal === done.firstPageTotal),
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

/**
 * Whether a re-pull ended worse than the window it would replace, which must then be kept: the published
 * window reconciled, and the re-pull did not, with rows it kept out of the table (quarantined), rows it lost
 * between pages (fewer accounted for than its total), or fewer rows than the window holds for the same scope.
 * A re-pull that found more rows than its total (late data) is no worse: it replaces the window as usual.
 */
export function isWorseThanPublished(
  previous: LedgerEntry['previous'],
  pull: { pbx: LedgerEntry['pbx']; rows: number; reconciliation: Reconciliation },
): boolean {
  if (previous?.reconciliation.verdict !== 'match' || pull.reconciliation.verdict === 'match') return false;
  const r = pull.reconciliation;
  const accounted = r.received + r.droppedAtEdges + r.quarantined;
  const sameScope = JSON.stringify(previous.pbx) === JSON.stringify(pull.pbx);
  return r.quarantined > 0 || accounted < r.apiTotal || (sameScope && pull.rows < previous.rows);
}

/**
 * The entry of a window kept after a worse re-pull: the published window as it was, and what the re-pull found.
 * The re-pull's chain stays named, so that its redelivered tasks find the window decided.
 */
export function keptEntry(
  running: LedgerEntry,
  rejected: z.infer<typeof RejectedPullSchema>,
): LedgerEntry | undefined {
  const previous = running.previous;
  if (!previous) return undefined;
  const { previous: _kept, ...base } = baseOf(running);
  const { chain: _was, attempt: _at, pbx, startedAt, ...published } = previous;
  return LedgerEntrySchema.parse({
    ...base,
    pbx,
    startedAt,
    failures: 0,
    status: 'published',
    ...published,
    rejected,
  });
}
