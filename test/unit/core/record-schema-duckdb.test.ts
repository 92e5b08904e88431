import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import {
  duckdbColumns,
  type LakeRow,
  lineageOf,
  normalizeRow,
} from '../../../functions/core/record-schema.js';
import { TABLES, type Table } from '../../../functions/core/tables.js';
import { guideExample, specExample } from './spec-examples.js';

const dir = mkdtempSync(join(tmpdir(), 'core-duckdb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lineage = lineageOf({ startMs: 0, endMs: 3_600_000 }, 1, Date.parse('2026-11-27T05:00:00Z'));

// Rows that stress the JSON line: nulls, empty and null arrays, quotes, unicode, a line break, drift, a bigint
// beyond 32 bits, a value that does not fit its column.
function rowsOf(table: Table): LakeRow[] {
  const examples = [...specExample(table).data, ...guideExample(table).data];
  const odd = {
    ...examples[0],
    callerName: 'Zoë "Z" O\'Brien\nline two',
    departments: [],
    branches: null,
    connectTimeUTC: 0,
    connectTime: '0',
    talkTimeMS: Number.MAX_SAFE_INTEGER,
    callTime: 'n/a',
    newField: { nested: ['x'] },
  };
  return [...examples, odd].map((apiRow) => normalizeRow(table, apiRow, lineage).row);
}

function sqlMap(columns: Record<string, string>): string {
  return `{${Object.entries(columns)
    .map(([name, type]) => `${name}: '${type}'`)
    .join(', ')}}`;
}

describe.each(TABLES)('a %s row serialized with JSON.stringify', (table) => {
  it('reads back identically in DuckDB read_json with the generated columns', async () => {
    const rows = rowsOf(table);
    const file = join(dir, `${table}.json`);
    writeFileSync(file, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT * FROM read_json('${file}', format = 'newline_delimited', ` +
          `columns = ${sqlMap(duckdbColumns(table))})`,
      );
      // BIGINT comes back as bigint; the lake row holds the same value as a (safe) number.
      const back = reader
        .getRowObjectsJS()
        .map((row) =>
          Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
        );
      expect(back).toEqual(rows);
      expect(reader.columnNames()).toEqual(Object.keys(duckdbColumns(table)));
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  });
});
