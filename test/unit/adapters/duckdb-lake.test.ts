import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  duckdbCreateViewSql,
  type LakeDb,
  lakeGlob,
  openLake,
} from '../../../functions/adapters/duckdb-lake.js';
import { lakeKey } from '../../../functions/core/lake-keys.js';
import {
  columnsOf,
  duckdbColumns,
  type LakeRow,
  lineageOf,
  normalizeRow,
} from '../../../functions/core/record-schema.js';
import type { Table } from '../../../functions/core/tables.js';
import { parseWindowId } from '../../../functions/core/windows.js';

// A quote in the root: the view's SQL must escape it.
const base = mkdtempSync(join(tmpdir(), 'duckdb-lake-'));
const root = join(base, "o'brien");
afterAll(() => rmSync(base, { recursive: true, force: true }));

let db: LakeDb | undefined;
afterEach(() => db?.close());

const WINDOW_1 = '20261127T2300Z-60m';
const WINDOW_2 = '20261128T0000Z-60m';

function rowsOf(table: Table, windowId: string, apiRows: Record<string, unknown>[]): LakeRow[] {
  const lineage = lineageOf(parseWindowId(windowId), 2, Date.parse('2026-11-28T06:00:00Z'));
  return apiRows.map((apiRow) => normalizeRow(table, apiRow, lineage).row);
}

/** Publishes a window the way the worker does: gzip'd JSON lines at the window's lake key. */
function publish(table: Table, windowId: string, rows: LakeRow[], into = root): void {
  const file = join(into, lakeKey(table, parseWindowId(windowId)));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, gzipSync(rows.map((row) => `${JSON.stringify(row)}\n`).join('')));
}

const day1 = rowsOf('call-legs', WINDOW_1, [
  {
    callId: '1001',
    legId: '1',
    startTimeUTC: 1_795_820_400_123,
    connectTimeUTC: 0,
    disconnectedTimeUTC: 1_795_820_460_000,
    talkTimeMS: 2_147_483_647,
    callerName: 'Zoë "Z" O\'Brien\nline two, tab\there 😀',
    departments: ['Sales', 'Support'],
    branches: [],
    surpriseField: { nested: [1] },
  },
  { callId: '1002', legId: '1', departments: null, calleeName: '' },
]);
const day2 = rowsOf('call-legs', WINDOW_2, [
  { callId: '2001', legId: '3', callerName: '日本語\r\n', branches: ['HQ'] },
]);

const namesOf = (table: Table) => [...columnsOf(table).map((c) => c.name), 'dt'];

describe('openLake', () => {
  beforeAll(() => {
    publish('call-legs', WINDOW_1, day1);
    publish('call-legs', WINDOW_2, day2);
  });

  it('reads back exactly the published rows, with dt from their folder', async () => {
    db = await openLake(root);
    const rows = await db.query('SELECT * FROM call_legs ORDER BY call_id');
    expect(rows).toEqual([
      ...day1.map((row) => ({ ...row, dt: '2026-11-27' })),
      ...day2.map((row) => ({ ...row, dt: '2026-11-28' })),
    ]);
    expect(Object.keys(rows[0] ?? {})).toEqual(namesOf('call-legs'));
    expect(rows[0]).toMatchObject({
      connect_time_utc: null,
      departments: ['Sales', 'Support'],
      branches: [],
    });
    expect(rows[1]).toMatchObject({ departments: null, callee_name: '', extra: null });
  });

  it('filters on the dt partition like Athena', async () => {
    db = await openLake(root);
    expect(await db.query("SELECT call_id, dt FROM call_legs WHERE dt = '2026-11-28'")).toEqual([
      { call_id: '2001', dt: '2026-11-28' },
    ]);
  });

  it('gives a table without files an empty view with the same columns and types', async () => {
    db = await openLake(root);
    expect(await db.query('SELECT * FROM call_records')).toEqual([]);
    for (const table of ['call-legs', 'call-records'] as const) {
      const described = await db.query(`DESCRIBE ${table.replace('-', '_')}`);
      expect(described).toHaveLength(columnsOf(table).length + 1);
      expect(described.map((c) => [c.column_name, c.column_type])).toEqual([
        ...Object.entries(duckdbColumns(table)),
        ['dt', 'VARCHAR'],
      ]);
    }
  });

  it('reads a table published after the lake was opened', async () => {
    const late = join(base, 'late');
    db = await openLake(late);
    expect(await db.query('SELECT count(*) AS n FROM call_records')).toEqual([{ n: 0 }]);
    const records = rowsOf('call-records', WINDOW_2, [{ callId: '2001', departments: ['Ops'] }]);
    publish('call-records', WINDOW_2, records, late);
    expect(await db.query('SELECT * FROM call_records')).toEqual([{ ...records[0], dt: '2026-11-28' }]);
  });

  it('opens a folder with no lake at all', async () => {
    db = await openLake(join(base, 'nothing-here'));
    expect(await db.query('SELECT count(*) AS n FROM call_legs')).toEqual([{ n: 0 }]);
  });

  it('returns JSON-safe values: wide integers as numbers when exact, else as text', async () => {
    db = await openLake(root);
    const [row] = await db.query(
      'SELECT 9007199254740991::BIGINT AS safe, 9007199254740993::BIGINT AS big, sum(talk_time_ms) AS total, ' +
        "[1::BIGINT, NULL] AS list, DATE '2026-11-27' AS day FROM call_legs",
    );
    expect(row).toEqual({
      safe: 9007199254740991,
      big: '9007199254740993',
      total: 2_147_483_647,
      list: [1, null],
      day: '2026-11-27',
    });
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });
});

describe('duckdbCreateViewSql', () => {
  it('names the view after the lake folder and reads the gzip JSON lines of every dt folder', () => {
    const sql = duckdbCreateViewSql('call-records', '/lake-root');
    const first = columnsOf('call-records')[0]?.name;
    expect(sql.startsWith(`CREATE OR REPLACE VIEW "call_records" AS SELECT "${first}", `)).toBe(true);
    expect(sql).toContain("read_json('/lake-root/lake/call_records/dt=*/*.json.gz'");
    expect(sql).toContain('hive_partitioning = true');
    expect(duckdbCreateViewSql('call-records', '/lake-root', { empty: true })).toMatch(/WHERE false$/);
  });

  it('refuses a root that DuckDB would misread: glob characters, or a k=v folder it would take as a column', () => {
    expect(() => lakeGlob('call-legs', '/data/[x]')).toThrow(/glob character/);
    expect(() => duckdbCreateViewSql('call-legs', '/data/call_id=7')).toThrow(/contains "="/);
  });
});
