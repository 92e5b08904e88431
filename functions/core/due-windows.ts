import { type LedgerEntry, lastProgressMs } from './ledger.js';
import type { Table } from './tables.js';
import { type Window, windowId, windowsFor } from './windows.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * How long the planner waits before it pulls a failed window again, by the number of times it failed: 1 h,
 * 4 h, then 12 h. After as many failures as there are waits, the window is left to the operator (`walake
 * status` lists it with the rerun that pulls it again).
 */
export const FAILED_RETRY_BACKOFF_MS = [HOUR_MS, 4 * HOUR_MS, 12 * HOUR_MS] as const;

/** What the planner weighs on a tick. */
export interface DuePlan {
  readonly table: Table;
  readonly nowMs: number;
  /** How far back to look (older gaps are a backfill's job). */
  readonly horizonDays: number;
  readonly gridMinutes: number;
  readonly settleMinutes: number;
  /** A running chain with no progress (a page) for this long is presumed dead and its window planned again. */
  readonly staleAfterMs: number;
  /** The table's ledger entries (entries of other tables are ignored). */
  readonly ledger: readonly LedgerEntry[];
}

/** A window to pull, why, and the attempt number its new chain takes. */
export interface DueWindow {
  readonly window: Window;
  readonly id: string;
  readonly reason: 'unpublished' | 'unsettled' | 'stale' | 'failed';
  readonly attempt: number;
}

/**
 * The windows of the last `horizonDays` that have ended and need a chain, oldest first:
 * - never published (no entry, or only a running one that has gone stale);
 * - published but not settled, once a pull started now would settle them (`settleMinutes` after the end):
 *   pulling earlier would only publish another unsettled copy;
 * - failed, once its backoff has passed ({@link FAILED_RETRY_BACKOFF_MS}), at most that many times;
 * - never one whose chain is running and showed progress within `staleAfterMs`, however long it has run, so a
 *   slow chain (a long window, a busy queue) is not doubled by the next tick.
 */
export function dueWindows(plan: DuePlan): DueWindow[] {
  const { nowMs, horizonDays, gridMinutes, settleMinutes, staleAfterMs } = plan;
  if (!(horizonDays > 0) || !(settleMinutes >= 0) || !(staleAfterMs > 0)) {
    throw new RangeError('horizonDays and staleAfterMs must be > 0 and settleMinutes >= 0');
  }
  const latest = new Map<string, LedgerEntry>();
  for (const entry of plan.ledger) {
    if (entry.table !== plan.table) continue;
    const seen = latest.get(entry.window);
    // A window's newest attempt speaks for it: an older attempt's entry is history.
    if (!seen || entry.attempt > seen.attempt) latest.set(entry.window, entry);
  }
  const due: DueWindow[] = [];
  for (const window of windowsFor(nowMs - horizonDays * DAY_MS, nowMs, gridMinutes)) {
    if (window.endMs > nowMs) continue;
    const id = windowId(window);
    const entry = latest.get(id);
    const attempt = (entry?.attempt ?? 0) + 1;
    if (!entry) {
      due.push({ window, id, reason: 'unpublished', attempt });
    } else if (entry.status === 'running') {
      if (nowMs - lastProgressMs(entry) >= staleAfterMs) due.push({ window, id, reason: 'stale', attempt });
    } else if (entry.status === 'failed') {
      const wait = FAILED_RETRY_BACKOFF_MS[entry.failures - 1];
      if (wait !== undefined && nowMs - Date.parse(entry.failedAt) >= wait)
        due.push({ window, id, reason: 'failed', attempt });
    } else if (!entry.settled && nowMs >= window.endMs + settleMinutes * MINUTE_MS) {
      due.push({ window, id, reason: 'unsettled', attempt });
    }
  }
  return due;
}
