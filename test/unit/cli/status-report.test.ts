import { describe, expect, it } from 'vitest';
import { ledgerStatus } from '../../../functions/cli/status-report.js';
import {
  failedEntry,
  type LedgerEntry,
  publishedEntry,
  runningEntry,
} from '../../../functions/core/ledger.js';
import type { Table } from '../../../functions/core/tables.js';
import { parseWindowId } from '../../../functions/core/windows.js';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

function running(table: Table, id: string, startedAtMs: number): LedgerEntry {
  return runningEntry({ table, window: parseWindowId(id), pbx: 'allpbxes', attempt: 1 }, startedAtMs);
}

function published(
  table: Table,
  id: string,
  o: { rows: number; total?: number; startedAtMs?: number },
): LedgerEntry {
  const window = parseWindowId(id);
  const start = running(table, id, o.startedAtMs ?? window.endMs + 3 * HOUR);
  const done = {
    pages: 1,
    rows: o.rows,
    dropped: 0,
    before: 0,
    quarantined: 0,
    mismatched: 0,
    firstPageTotal: o.total ?? o.rows,
  };
  return publishedEntry(start, done, (o.startedAtMs ?? window.endMs + 3 * HOUR) + 60_000, 120);
}

const options = {
  tables: ['call-legs', 'call-records'] as Table[],
  fromMs: at('2026-11-26T22:00:00Z'),
  toMs: at('2026-11-27T03:00:00Z'),
  gridMinutes: 60,
  nowMs: at('2026-11-27T02:30:00Z'),
};

describe('ledgerStatus', () => {
  const entries = [
    published('call-legs', '20261126T2200Z-60m', { rows: 10 }),
    published('call-legs', '20261126T2300Z-60m', { rows: 5, total: 7 }),
    // Pulled 10 minutes after its end: published, not settled.
    published('call-legs', '20261127T0000Z-60m', { rows: 3, startedAtMs: at('2026-11-27T01:10:00Z') }),
    running('call-legs', '20261127T0100Z-60m', at('2026-11-27T02:05:00Z')),
    published('call-records', '20261127T0100Z-60m', { rows: 4 }),
    // A 15-minute window: another grid.
    published('call-records', '20261127T0115Z-15m', { rows: 1 }),
  ];
  const status = ledgerStatus(entries, options);

  it('counts per UTC day and table only the windows that have ended', () => {
    expect(status.days).toEqual([
      {
        table: 'call-legs',
        day: '2026-11-26',
        expected: 2,
        published: 2,
        settled: 2,
        running: 0,
        failed: 0,
        missing: 0,
        rows: 15,
        mismatches: 1,
      },
      {
        table: 'call-legs',
        day: '2026-11-27',
        expected: 2,
        published: 1,
        settled: 0,
        running: 1,
        failed: 0,
        missing: 0,
        rows: 3,
        mismatches: 0,
      },
      {
        table: 'call-records',
        day: '2026-11-26',
        expected: 2,
        published: 0,
        settled: 0,
        running: 0,
        failed: 0,
        missing: 2,
        rows: 0,
        mismatches: 0,
      },
      {
        table: 'call-records',
        day: '2026-11-27',
        expected: 2,
        published: 1,
        settled: 1,
        running: 0,
        failed: 0,
        missing: 1,
        rows: 4,
        mismatches: 0,
      },
    ]);
    expect(status.totals).toEqual({
      expected: 8,
      published: 4,
      settled: 3,
      running: 1,
      failed: 0,
      missing: 3,
      rows: 22,
      mismatches: 1,
    });
  });

  it('lists each run of missing windows as one gap, across midnight', () => {
    expect(status.gaps).toEqual([
      { table: 'call-records', from: '2026-11-26T22:00:00Z', to: '2026-11-27T01:00:00Z', windows: 3 },
    ]);
  });

  it('names the mismatched windows, the last publish per table and entries of another grid', () => {
    expect(status.mismatched).toEqual([
      expect.objectContaining({
        table: 'call-legs',
        window: '20261126T2300Z-60m',
        explanation: expect.stringMatching(/fewer than/),
      }),
    ]);
    expect(status.lastPublished['call-legs']).toBe('2026-11-27T03:01:00.000Z');
    expect(status.lastPublished['call-records']).toBe('2026-11-27T05:01:00.000Z');
    expect(status.otherGrid).toBe(1);
  });

  it('reports nothing published as null and every window missing', () => {
    const empty = ledgerStatus([], { ...options, tables: ['call-legs'] });
    expect(empty.lastPublished).toEqual({ 'call-legs': null });
    expect(empty.totals.missing).toBe(4);
    expect(empty.gaps).toEqual([
      { table: 'call-legs', from: '2026-11-26T22:00:00Z', to: '2026-11-27T02:00:00Z', windows: 4 },
    ]);
  });

  it('counts a failed window apart and lists it with its reason and the command that reruns it', () => {
    const id = '20261127T0000Z-60m';
    const window = parseWindowId(id);
    const start = runningEntry(
      { table: 'call-records', window, pbx: ['acme', 'acme2'], attempt: 4 },
      at('2026-11-27T01:30:00Z'),
    );
    const failed = failedEntry(
      start,
      'the API refused the cursor of 4 chains in a row',
      at('2026-11-27T01:40:00Z'),
    );
    const report = ledgerStatus([failed], { ...options, tables: ['call-records'] });
    expect(report.days.find((d) => d.day === '2026-11-27')).toMatchObject({
      failed: 1,
      missing: 1,
      published: 0,
    });
    expect(report.totals).toMatchObject({ failed: 1, missing: 3 });
    expect(report.failed).toEqual([
      {
        table: 'call-records',
        window: id,
        reason: 'the API refused the cursor of 4 chains in a row',
        rerun:
          'walake rerun --table call-records --from 2026-11-27T00:00:00Z --to 2026-11-27T01:00:00Z --pbx acme,acme2',
      },
    ]);
  });

  it('ignores the tables not asked for', () => {
    const legs = ledgerStatus(entries, { ...options, tables: ['call-legs'] });
    expect(legs.days.every((d) => d.table === 'call-legs')).toBe(true);
    expect(legs.otherGrid).toBe(0);
  });

  describe('stranded windows', () => {
    // A backfill of November whose tasks expired in the backfill queue: its windows stay running for good.
    const now = at('2026-12-20T12:00:00Z');
    const expired = (id: string, pbx: LedgerEntry['pbx'] = 'allpbxes') =>
      runningEntry(
        { table: 'call-legs', window: parseWindowId(id), pbx, attempt: 1 },
        at('2026-12-05T00:00:00Z'),
      );
    const week = {
      tables: ['call-legs'] as Table[],
      fromMs: at('2026-11-01T00:00:00Z'),
      toMs: now,
      gridMinutes: 60,
      nowMs: now,
    };

    it('lists running windows without progress and older than the horizon, a run at a time, with the rerun', () => {
      const report = ledgerStatus(
        [
          expired('20261101T0000Z-60m'),
          expired('20261101T0100Z-60m'),
          expired('20261101T0200Z-60m'),
          // Another PBX scope: its own rerun.
          expired('20261101T0300Z-60m', ['acme']),
          expired('20261101T0500Z-60m'),
        ],
        week,
      );
      expect(report.stranded).toEqual([
        {
          table: 'call-legs',
          from: '2026-11-01T00:00:00Z',
          to: '2026-11-01T03:00:00Z',
          windows: 3,
          lastProgress: '2026-12-05T00:00:00Z',
          rerun: 'walake rerun --table call-legs --from 2026-11-01T00:00:00Z --to 2026-11-01T03:00:00Z',
        },
        expect.objectContaining({
          windows: 1,
          rerun:
            'walake rerun --table call-legs --from 2026-11-01T03:00:00Z --to 2026-11-01T04:00:00Z --pbx acme',
        }),
        expect.objectContaining({ from: '2026-11-01T05:00:00Z', to: '2026-11-01T06:00:00Z', windows: 1 }),
      ]);
      // Still counted as running in the day table: what the ledger says.
      expect(report.totals.running).toBe(5);
    });

    it('leaves out a chain that showed progress lately, and a stale one the planner will pull again', () => {
      const progressing = runningEntry(
        { table: 'call-legs', window: parseWindowId('20261101T0000Z-60m'), pbx: 'allpbxes', attempt: 1 },
        now - 30 * 60_000,
      );
      // Within the 2-day horizon: the next tick plans it again as stale.
      const recent = runningEntry(
        { table: 'call-legs', window: parseWindowId('20261219T0000Z-60m'), pbx: 'allpbxes', attempt: 1 },
        at('2026-12-19T02:00:00Z'),
      );
      expect(ledgerStatus([progressing, recent], week).stranded).toEqual([]);
      // With the stack's own settings: a 1-day horizon leaves the recent one to the operator, and 20 minutes
      // without progress is dead.
      expect(ledgerStatus([recent], { ...week, horizonDays: 1 }).stranded).toHaveLength(1);
      expect(ledgerStatus([progressing], { ...week, staleAfterMinutes: 20 }).stranded).toHaveLength(1);
    });

    it('on a local lake, takes a window an interrupted run left running as stranded at once, filled by walake run', () => {
      // Ctrl-C 20 minutes ago: the window is within any horizon, but no planner will ever pull it locally.
      const interrupted = runningEntry(
        { table: 'call-legs', window: parseWindowId('20261220T0900Z-60m'), pbx: ['acme'], attempt: 1 },
        now - 20 * 60_000,
      );
      const failed = failedEntry(interrupted, 'the API refused', now - 10 * 60_000);
      expect(ledgerStatus([interrupted], week).stranded).toEqual([]);
      const local = { ...week, staleAfterMinutes: 15, localOut: './lake-data' };
      expect(ledgerStatus([interrupted], local).stranded).toEqual([
        expect.objectContaining({
          windows: 1,
          rerun:
            'walake run --table call-legs --from 2026-12-20T09:00:00Z --to 2026-12-20T10:00:00Z --pbx acme --out ./lake-data',
        }),
      ]);
      expect(ledgerStatus([failed], { ...local, localOut: 'my lake' }).failed[0]?.rerun).toBe(
        "walake run --table call-legs --from 2026-12-20T09:00:00Z --to 2026-12-20T10:00:00Z --pbx acme --out 'my lake'",
      );
    });

    it('fills a run longer than a rerun may ask for with a backfill', () => {
      const ids = Array.from({ length: 33 * 24 }, (_, i) => {
        const ms = at('2026-11-01T00:00:00Z') + i * 3_600_000;
        return runningEntry(
          { table: 'call-legs', window: { startMs: ms, endMs: ms + 3_600_000 }, pbx: 'allpbxes', attempt: 1 },
          at('2026-12-05T00:00:00Z'),
        );
      });
      const report = ledgerStatus(ids, { ...week, fromMs: at('2026-11-01T00:00:00Z') });
      expect(report.stranded).toEqual([
        expect.objectContaining({
          windows: 33 * 24,
          rerun: 'walake backfill --table call-legs --from 2026-11-01T00:00:00Z --to 2026-12-04T00:00:00Z',
        }),
      ]);
    });
  });
});
