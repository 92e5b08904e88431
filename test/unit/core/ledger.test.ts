import { describe, expect, it } from 'vitest';
import { dueWindows } from '../../../functions/core/due-windows.js';
import {
  failedEntry,
  isSettled,
  isWorseThanPublished,
  type LedgerEntry,
  LedgerEntrySchema,
  publishedEntry,
  reconcile,
  runningEntry,
} from '../../../functions/core/ledger.js';
import { parseWindowId, windowId } from '../../../functions/core/windows.js';

const MIN = 60_000;
const at = (iso: string) => Date.parse(iso);
const W1 = parseWindowId('20261127T0100Z-60m');

describe('reconcile', () => {
  it('says mismatch when the total changed while the chain ran, even when the first total balances', () => {
    const r = reconcile({ received: 95, droppedAtEdges: 5, apiTotal: 100, lastApiTotal: 101 });
    expect(r).toMatchObject({ verdict: 'mismatch', apiTotal: 100, lastApiTotal: 101 });
    expect(r.explanation).toMatch(/total changed while the chain ran, from 100 to 101: rows ingested behind/);
    expect(reconcile({ received: 95, droppedAtEdges: 5, apiTotal: 100, lastApiTotal: 100 })).toMatchObject({
      verdict: 'match',
    });
    expect(reconcile({ received: 95, droppedAtEdges: 5, apiTotal: 100 })).not.toHaveProperty('lastApiTotal');
  });

  it('matches when kept + dropped at the edges equals the first page total', () => {
    const r = reconcile({ received: 95, droppedAtEdges: 5, droppedBeforeStart: 2, apiTotal: 100 });
    expect(r).toMatchObject({
      verdict: 'match',
      received: 95,
      droppedAtEdges: 5,
      droppedBeforeStart: 2,
      quarantined: 0,
      typeMismatches: 0,
      unidentified: 0,
      apiTotal: 100,
    });
    expect(r.explanation).toBe(
      "95 rows kept + 5 dropped at the window edges = 100, equal to the first page's totalRecordCount 100 " +
        '(it counts the whole request, edges included)',
    );
  });

  it('balances quarantined rows in the books but calls any of them a mismatch, and says what to do', () => {
    const r = reconcile({ received: 90, droppedAtEdges: 5, quarantined: 5, apiTotal: 100 });
    expect(r).toMatchObject({ verdict: 'mismatch', quarantined: 5 });
    expect(r.explanation).toMatch(
      /90 rows kept \+ 5 dropped at the window edges \+ 5 quarantined = 100, equal/,
    );
    expect(r.explanation).toMatch(/walake probe/);
  });

  it('carries type mismatches and rows without identity without calling them a mismatch', () => {
    const r = reconcile({
      received: 100,
      droppedAtEdges: 0,
      typeMismatches: 3,
      unidentified: 2,
      apiTotal: 100,
    });
    expect(r).toMatchObject({ verdict: 'match', typeMismatches: 3, unidentified: 2 });
  });

  it.each([
    [101, 5, 100, /more than .*\(late data\)/],
    [90, 5, 100, /fewer than .* re-pull the window/],
  ])('calls %i kept + %i dropped against %i a mismatch and says why', (received, dropped, total, why) => {
    const r = reconcile({ received, droppedAtEdges: dropped, apiTotal: total });
    expect(r.verdict).toBe('mismatch');
    expect(r.explanation).toMatch(why);
  });
});

describe('isSettled', () => {
  it.each([
    ['at the end', W1.endMs, false],
    ['a minute short of the settle time', W1.endMs + 59 * MIN, false],
    ['exactly at the settle time', W1.endMs + 60 * MIN, true],
    ['long after', W1.endMs + 24 * 60 * MIN, true],
  ])('a pull started %s is settled: %s', (_name, startedAt, settled) => {
    expect(isSettled(W1, startedAt, 60)).toBe(settled);
  });
});

describe('ledger entries', () => {
  const chain = { table: 'call-legs' as const, window: W1, pbx: 'allpbxes' as const, attempt: 1 };

  it('records a running chain, then its publication with totals, verdict and settledness', () => {
    const running = runningEntry(chain, W1.endMs + 5 * MIN);
    expect(running).toEqual({
      v: 1,
      table: 'call-legs',
      window: '20261127T0100Z-60m',
      startMs: W1.startMs,
      endMs: W1.endMs,
      pbx: 'allpbxes',
      attempt: 1,
      restarts: 0,
      failures: 0,
      startedAt: '2026-11-27T02:05:00.000Z',
      status: 'running',
    });
    const done = {
      pages: 2,
      rows: 10,
      dropped: 1,
      before: 0,
      quarantined: 0,
      mismatched: 0,
      firstPageTotal: 11,
    };
    const published = publishedEntry(running, done, W1.endMs + 6 * MIN, 60);
    expect(published).toMatchObject({
      status: 'published',
      finishedAt: '2026-11-27T02:06:00.000Z',
      pages: 2,
      rows: 10,
      firstPageTotal: 11,
      settled: false,
      reconciliation: { verdict: 'match', received: 10, droppedAtEdges: 1, apiTotal: 11 },
    });
    const later = runningEntry({ ...chain, attempt: 2 }, W1.endMs + 61 * MIN);
    expect(publishedEntry(later, done, W1.endMs + 62 * MIN, 60)).toMatchObject({ settled: true, attempt: 2 });
  });

  it('names the chain in the entry and keeps it, with the restarts, through publication; drops the lease', () => {
    const running = runningEntry(
      {
        ...chain,
        chain: 'k3x9q0w2m1zp',
        restarts: 2,
        publishing: { chain: 'k3x9q0w2m1zp', since: '2026-11-27T02:05:00.000Z' },
        origin: 'call-legs.20261127T0100Z-60m.all.a1.abcdef123456.p3',
      },
      W1.endMs + 5 * MIN,
    );
    expect(running).toMatchObject({
      chain: 'k3x9q0w2m1zp',
      restarts: 2,
      publishing: { chain: 'k3x9q0w2m1zp' },
    });
    const done = {
      pages: 1,
      rows: 1,
      dropped: 0,
      before: 0,
      quarantined: 1,
      mismatched: 0,
      firstPageTotal: 2,
    };
    const published = publishedEntry(running, done, W1.endMs + 6 * MIN, 60);
    expect(published).toMatchObject({
      chain: 'k3x9q0w2m1zp',
      restarts: 2,
      reconciliation: { quarantined: 1 },
    });
    expect(published).not.toHaveProperty('publishing');
    expect(published).not.toHaveProperty('origin');
  });

  it('records a failed window with its reason', () => {
    const running = runningEntry({ ...chain, chain: 'k3x9q0w2m1zp' }, W1.endMs);
    const failed = failedEntry(running, 'the API refused the cursor', W1.endMs + MIN);
    expect(failed).toMatchObject({
      status: 'failed',
      chain: 'k3x9q0w2m1zp',
      failedAt: '2026-11-27T02:01:00.000Z',
      reason: 'the API refused the cursor',
    });
    expect(LedgerEntrySchema.parse(failed)).toEqual(failed);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown field', { token: 'x' }],
    ['bounds that disagree with the window id', { endMs: W1.endMs + MIN }],
    ['an unknown status', { status: 'aborted' }],
    ['a failed entry without its reason', { status: 'failed', failedAt: '2026-11-27T02:00:00.000Z' }],
    ['a chain id that is not one', { chain: 'Not-A-Chain' }],
    ['a published entry without totals', { status: 'published' }],
    ['a start time that is not ISO', { startedAt: 'yesterday' }],
  ])('refuses %s', (_name, change) => {
    const running = runningEntry(chain, W1.endMs);
    expect(LedgerEntrySchema.safeParse({ ...running, ...change }).success).toBe(false);
  });
});

describe('dueWindows', () => {
  const now = at('2026-11-27T05:30:00Z');
  const plan = {
    table: 'call-legs' as const,
    nowMs: now,
    horizonDays: 4 / 24, // 01:30 back: the windows from 01:00 to 05:00
    gridMinutes: 60,
    settleMinutes: 60,
    staleAfterMs: 30 * MIN,
  };
  const entry = (id: string, change: Partial<LedgerEntry> & Record<string, unknown>): LedgerEntry => {
    const window = parseWindowId(id);
    const running = runningEntry({ table: 'call-legs', window, pbx: 'allpbxes', attempt: 1 }, window.endMs);
    if (change.status !== 'published') return LedgerEntrySchema.parse({ ...running, ...change });
    const done = {
      pages: 1,
      rows: 1,
      dropped: 0,
      before: 0,
      quarantined: 0,
      mismatched: 0,
      firstPageTotal: 1,
    };
    return LedgerEntrySchema.parse({ ...publishedEntry(running, done, window.endMs + MIN, 60), ...change });
  };
  const due = (ledger: LedgerEntry[]) =>
    dueWindows({ ...plan, ledger }).map((d) => [d.id, d.reason, d.attempt]);

  it('plans every ended window of the horizon when nothing was published, oldest first', () => {
    expect(due([])).toEqual([
      ['20261127T0100Z-60m', 'unpublished', 1],
      ['20261127T0200Z-60m', 'unpublished', 1],
      ['20261127T0300Z-60m', 'unpublished', 1],
      ['20261127T0400Z-60m', 'unpublished', 1],
    ]);
  });

  it.each<[string, LedgerEntry, [string, string, number] | undefined]>([
    [
      'skips a settled window',
      entry('20261127T0200Z-60m', { status: 'published', settled: true }),
      undefined,
    ],
    [
      'repulls an unsettled window once a pull would settle it',
      entry('20261127T0200Z-60m', { status: 'published', settled: false }),
      ['20261127T0200Z-60m', 'unsettled', 2],
    ],
    [
      'waits with an unsettled window that a pull now could not settle',
      entry('20261127T0400Z-60m', { status: 'published', settled: false }),
      undefined,
    ],
    [
      'leaves a failed window alone until its first backoff (1 h) has passed',
      entry('20261127T0200Z-60m', {
        status: 'failed',
        failedAt: '2026-11-27T04:45:00.000Z',
        reason: 'x',
        failures: 1,
      }),
      undefined,
    ],
    [
      'pulls a failed window again once its backoff has passed',
      entry('20261127T0200Z-60m', {
        status: 'failed',
        failedAt: '2026-11-27T04:30:00.000Z',
        reason: 'x',
        failures: 1,
      }),
      ['20261127T0200Z-60m', 'failed', 2],
    ],
    [
      'waits 4 h after a second failure',
      entry('20261127T0200Z-60m', {
        status: 'failed',
        failedAt: '2026-11-27T03:00:00.000Z',
        reason: 'x',
        failures: 2,
      }),
      undefined,
    ],
    [
      'pulls a window that failed three times once 12 h have passed',
      entry('20261127T0200Z-60m', {
        status: 'failed',
        failedAt: '2026-11-26T17:00:00.000Z',
        reason: 'x',
        failures: 3,
      }),
      ['20261127T0200Z-60m', 'failed', 2],
    ],
    [
      'leaves a window that failed a fourth time to the operator',
      entry('20261127T0200Z-60m', {
        status: 'failed',
        failedAt: '2026-11-26T03:00:00.000Z',
        reason: 'x',
        failures: 4,
      }),
      undefined,
    ],
    [
      'leaves a long-running chain alone while it shows progress',
      entry('20261127T0300Z-60m', {
        startedAt: '2026-11-27T04:00:00.000Z',
        heartbeatAt: '2026-11-27T05:20:00.000Z',
      }),
      undefined,
    ],
    [
      'leaves a running chain alone',
      entry('20261127T0300Z-60m', { startedAt: '2026-11-27T05:10:00.000Z' }),
      undefined,
    ],
    [
      'restarts a stale running chain with a new attempt',
      entry('20261127T0300Z-60m', { startedAt: '2026-11-27T05:00:00.000Z', attempt: 3 }),
      ['20261127T0300Z-60m', 'stale', 4],
    ],
  ])('%s', (_name, ledgerEntry, expected) => {
    const found = due([ledgerEntry]).find(([id]) => id === ledgerEntry.window);
    expect(found).toEqual(expected);
  });

  it("ignores another table's entries and lets the newest attempt speak for a window", () => {
    const id = '20261127T0100Z-60m';
    const records = { ...entry(id, { status: 'published', settled: true }), table: 'call-records' as const };
    expect(due([records]).map(([d]) => d)).toContain(id);
    const old = entry(id, { status: 'published', settled: true, attempt: 1 });
    const fresh = entry(id, { attempt: 2, startedAt: '2026-11-27T05:20:00.000Z' });
    expect(due([fresh, old]).map(([d]) => d)).not.toContain(id);
    expect(due([old, entry(id, { attempt: 2, startedAt: '2026-11-27T04:00:00.000Z' })])).toContainEqual([
      id,
      'stale',
      3,
    ]);
  });

  it('never plans the window still in progress, and works on other grids', () => {
    const ids = dueWindows({ ...plan, gridMinutes: 15, ledger: [] }).map((d) => d.id);
    expect(ids.at(-1)).toBe('20261127T0515Z-15m');
    expect(ids[0]).toBe('20261127T0130Z-15m'); // 01:30 is the horizon, already on this grid
    expect(ids.map((id) => windowId(parseWindowId(id)))).toEqual(ids);
  });

  it('refuses a non-positive horizon', () => {
    expect(() => dueWindows({ ...plan, horizonDays: 0, ledger: [] })).toThrow(/horizonDays/);
  });
});

describe('isWorseThanPublished', () => {
  const matched = reconcile({ received: 10, droppedAtEdges: 0, apiTotal: 10 });
  const previous = {
    attempt: 1,
    pbx: 'allpbxes' as const,
    startedAt: '2026-11-27T05:00:00.000Z',
    finishedAt: '2026-11-27T05:01:00.000Z',
    pages: 1,
    rows: 10,
    firstPageTotal: 10,
    reconciliation: matched,
    settled: true,
  };
  const pull = (counts: Parameters<typeof reconcile>[0], pbx: 'allpbxes' | string[] = 'allpbxes') => ({
    pbx,
    rows: counts.received,
    reconciliation: reconcile(counts),
  });
  it.each([
    ['rows quarantined', pull({ received: 0, droppedAtEdges: 0, quarantined: 10, apiTotal: 10 }), true],
    ['rows lost between pages', pull({ received: 8, droppedAtEdges: 0, apiTotal: 10 }), true],
    ['fewer rows for the same scope', pull({ received: 9, droppedAtEdges: 0, apiTotal: 8 }), true],
    ['late data (more rows than its total)', pull({ received: 12, droppedAtEdges: 0, apiTotal: 11 }), false],
    ['a match', pull({ received: 11, droppedAtEdges: 0, apiTotal: 11 }), false],
    [
      'fewer rows of a narrower scope',
      pull({ received: 4, droppedAtEdges: 0, apiTotal: 3 }, ['acmecorp']),
      false,
    ],
  ])('%s: %s', (_what, repull, worse) => {
    expect(isWorseThanPublished(previous, repull)).toBe(worse);
  });

  it('never keeps a window that did not reconcile itself, or that there is none of', () => {
    const lost = pull({ received: 8, droppedAtEdges: 0, apiTotal: 10 });
    const mismatched = {
      ...previous,
      reconciliation: reconcile({ received: 9, droppedAtEdges: 0, apiTotal: 10 }),
    };
    expect(isWorseThanPublished(mismatched, lost)).toBe(false);
    expect(isWorseThanPublished(undefined, lost)).toBe(false);
  });
});

describe('publishedEntry of a pull whose total moved', () => {
  it('is not settled, however late the pull started, so that the planner pulls the window again', () => {
    const window = parseWindowId('20261127T0100Z-60m');
    const late = window.endMs + 24 * 3_600_000;
    const running = runningEntry({ table: 'call-legs', window, pbx: 'allpbxes', attempt: 1 }, late);
    const totals = { pages: 1, rows: 10, dropped: 0, firstPageTotal: 10 };
    expect(publishedEntry(running, totals, late, 60)).toMatchObject({ settled: true });
    expect(publishedEntry(running, { ...totals, lastTotal: 11 }, late, 60)).toMatchObject({
      settled: false,
      reconciliation: { verdict: 'mismatch', lastApiTotal: 11 },
    });
  });
});
