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
});
