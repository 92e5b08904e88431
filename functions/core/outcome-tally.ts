import type { LedgerEntry } from './ledger.js';
import type { TaskOutcome } from './process-task.js';

/**
 * What one task's outcome adds to the counters of a run: the same numbers become the Lambda's metrics (named
 * as in `METRICS`) and `walake run`'s summary, so that both count alike.
 */
export interface OutcomeTally {
  pagesFetched: number;
  rowsStaged: number;
  driftFields: number;
  typeMismatches: number;
  rowsQuarantined: number;
  windowsPublished: number;
  reconciliationMismatches: number;
  chainsRestarted: number;
  windowsFailed: number;
  /** Windows whose chain ended on its last data page, without the `No Data` request. */
  windowsEndedEarly: number;
  /** Publications that contradicted an earlier early end: their total differs from it. */
  earlyEndsRevised: number;
}

/** The published entry of an outcome, if the task published its window. */
export function publishedOf(outcome: TaskOutcome): Extract<LedgerEntry, { status: 'published' }> | undefined {
  return outcome.kind === 'published' && outcome.entry.status === 'published' ? outcome.entry : undefined;
}

/** The counts an outcome adds; zero everywhere for a superseded chain. */
export function tallyOf(outcome: TaskOutcome): OutcomeTally {
  const tally: OutcomeTally = {
    pagesFetched: 0,
    rowsStaged: 0,
    driftFields: 0,
    typeMismatches: 0,
    rowsQuarantined: 0,
    windowsPublished: 0,
    reconciliationMismatches: 0,
    chainsRestarted: outcome.kind === 'restarted' ? 1 : 0,
    windowsFailed: outcome.kind === 'failed' ? 1 : 0,
    windowsEndedEarly: 0,
    earlyEndsRevised: 0,
  };
  if (outcome.kind !== 'next' && outcome.kind !== 'published') return tally;
  if (!outcome.replayed) {
    tally.pagesFetched = 1;
    tally.rowsStaged = outcome.rows;
  }
  tally.driftFields = outcome.driftFields.length;
  tally.typeMismatches = outcome.mismatched;
  tally.rowsQuarantined = outcome.quarantined;
  const published = publishedOf(outcome);
  // A window is counted once, by the task that published it, not again by a redelivery of its last page.
  if (published && !(outcome.kind === 'published' && outcome.alreadyPublished)) {
    tally.windowsPublished = 1;
    // A re-pull that ended worse than the window, which was kept, is a mismatch all the same.
    const kept = outcome.kind === 'published' && outcome.kept !== undefined;
    tally.reconciliationMismatches = published.reconciliation.verdict === 'mismatch' || kept ? 1 : 0;
    tally.windowsEndedEarly = published.endedEarly ? 1 : 0;
    tally.earlyEndsRevised = published.earlyEndRevised ? 1 : 0;
  }
  return tally;
}
