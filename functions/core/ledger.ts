import * as z from 'zod/mini';
import type { ChainDone } from './chain-step.js';
import { PbxScopeSchema, WindowIdSchema } from './page-task.js';
import { TABLES, type Table } from './tables.js';
import { parseWindowId, type Window, windowId } from './windows.js';
import './zod.js';

const MINUTE_MS = 60_000;

/** How the rows a chain kept compare with the total the API announced on its first page. */
export const ReconciliationSchema = z.strictObject({
  verdict: z.enum(['match', 'mismatch']),
  received: z.int().check(z.nonnegative()),
  apiTotal: z.int().check(z.nonnegative()),
  droppedAtEdges: z.int().check(z.nonnegative()),
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
  startedAt: z.iso.datetime(),
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

/**
 * Compares what a chain kept with the API's first-page total. That total counts the whole inclusive request,
 * edge second included, so the books balance when kept + dropped at the edges = total.
 */
export function reconcile(received: number, droppedAtEdges: number, apiTotal: number): Reconciliation {
  const sum = received + droppedAtEdges;
  const books = `${received} rows kept + ${droppedAtEdges} dropped at the window edges = ${sum}`;
  const total =
    `the first page's totalRecordCount ${apiTotal} ` +
    '(it counts the inclusive request, edge second included)';
  const explanation =
    sum === apiTotal
      ? `${books}, equal to ${total}`
      : sum > apiTotal
        ? `${books}, more than ${total}: calls that ended while the chain ran (late data); ` +
          'a settled re-pull will count them'
        : `${books}, fewer than ${total}: rows were lost between pages; re-pull the window`;
  return {
    verdict: sum === apiTotal ? 'match' : 'mismatch',
    received,
    apiTotal,
    droppedAtEdges,
    explanation,
  };
}

/** Whether a pull that started at `pullStartedAtMs` saw the window settled: `settleMinutes` after its end. */
export function isSettled(window: Window, pullStartedAtMs: number, settleMinutes: number): boolean {
  return pullStartedAtMs >= window.endMs + settleMinutes * MINUTE_MS;
}

/** The entry of a chain that has just started. */
export function runningEntry(
  chain: { table: Table; window: Window; pbx: LedgerEntry['pbx']; attempt: number },
  startedAtMs: number,
): LedgerEntry {
  const { table, window, pbx, attempt } = chain;
  return LedgerEntrySchema.parse({
    v: 1,
    table,
    window: windowId(window),
    startMs: window.startMs,
    endMs: window.endMs,
    pbx,
    attempt,
    startedAt: new Date(startedAtMs).toISOString(),
    status: 'running',
  });
}

/** The entry of a published window, from its running entry and the chain's totals. */
export function publishedEntry(
  running: LedgerEntry,
  done: ChainDone,
  finishedAtMs: number,
  settleMinutes: number,
): LedgerEntry {
  const { v, table, window: id, startMs, endMs, pbx, attempt, startedAt } = running;
  return LedgerEntrySchema.parse({
    v,
    table,
    window: id,
    startMs,
    endMs,
    pbx,
    attempt,
    startedAt,
    status: 'published',
    finishedAt: new Date(finishedAtMs).toISOString(),
    pages: done.pages,
    rows: done.rows,
    firstPageTotal: done.firstPageTotal,
    reconciliation: reconcile(done.rows, done.dropped, done.firstPageTotal),
    settled: isSettled({ startMs, endMs }, Date.parse(startedAt), settleMinutes),
  });
}
