import { describe, expect, it } from 'vitest';
import { publishedEntry, runningEntry } from '../../../functions/core/ledger.js';
import { publishedOf, tallyOf } from '../../../functions/core/outcome-tally.js';
import type { TaskOutcome } from '../../../functions/core/process-task.js';
import { parseWindowId } from '../../../functions/core/windows.js';

const window = parseWindowId('20261127T0100Z-60m');
const running = runningEntry(
  { table: 'call-legs', window, pbx: 'allpbxes', attempt: 1, chain: 'k3x9q0w2m1zp' },
  window.endMs,
);
const done = { pages: 2, rows: 9, dropped: 1, before: 0, quarantined: 2, mismatched: 1, firstPageTotal: 12 };
const published = publishedEntry(running, done, window.endMs + 60_000, 60);
const page = {
  rows: 4,
  dropped: 0,
  quarantined: 2,
  mismatched: 1,
  driftFields: ['newField'],
  replayed: false,
};
const zero = {
  pagesFetched: 0,
  rowsStaged: 0,
  driftFields: 0,
  typeMismatches: 0,
  rowsQuarantined: 0,
  windowsPublished: 0,
  reconciliationMismatches: 0,
  chainsRestarted: 0,
  windowsFailed: 0,
  windowsEndedEarly: 0,
  earlyEndsRevised: 0,
};

describe('tallyOf', () => {
  it.each<[string, TaskOutcome, Partial<typeof zero>]>([
    [
      'a fetched page',
      { kind: 'next', ...page },
      { pagesFetched: 1, rowsStaged: 4, driftFields: 1, typeMismatches: 1, rowsQuarantined: 2 },
    ],
    [
      'a replayed page',
      { kind: 'next', ...page, replayed: true },
      { driftFields: 1, typeMismatches: 1, rowsQuarantined: 2 },
    ],
    [
      'a published window with quarantined rows',
      { kind: 'published', ...page, entry: published },
      {
        pagesFetched: 1,
        rowsStaged: 4,
        driftFields: 1,
        typeMismatches: 1,
        rowsQuarantined: 2,
        windowsPublished: 1,
        reconciliationMismatches: 1,
      },
    ],
    [
      'a redelivered last page of a window its chain published already',
      { kind: 'published', ...page, replayed: true, entry: published, alreadyPublished: true },
      { driftFields: 1, typeMismatches: 1, rowsQuarantined: 2 },
    ],
    ['a restart', { kind: 'restarted', attempt: 2, reason: 'refused' }, { chainsRestarted: 1 }],
    ['a failed window', { kind: 'failed', reason: 'refused', entry: running }, { windowsFailed: 1 }],
    ['a superseded chain', { kind: 'superseded', by: 'a newer chain' }, {}],
  ])('counts %s', (_name, outcome, counts) => {
    expect(tallyOf(outcome)).toEqual({ ...zero, ...counts });
  });

  it('names the published entry only when the task published', () => {
    expect(publishedOf({ kind: 'published', ...page, entry: published })).toBe(published);
    expect(publishedOf({ kind: 'next', ...page })).toBeUndefined();
  });
});
