import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { RawInteger } from '../../../../functions/core/exact-json.js';
import { parquetSchemaOf } from '../../../../functions/core/parquet/parquet-schema.js';
import {
  type ParquetRow,
  ParquetRowError,
  ParquetTableWriter,
  writeParquet,
} from '../../../../functions/core/parquet/write-parquet.js';
import {
  columnsOf,
  duckdbColumns,
  glueColumns,
  type LakeRow,
  lineageOf,
  normalizeRow,
} from '../../../../functions/core/record-schema.js';
import { LAKE_TABLES, TABLES, type Table } from '../../../../functions/core/tables.js';
import { guideExample, specExample } from '../spec-examples.js';

const dir = mkdtempSync(join(tmpdir(), 'core-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lineage = lineageOf({ startMs: 0, endMs: 3_600_000 }, 2, Date.parse('2026-11-27T05:00:00Z'));
const BEYOND_2_53 = 2n ** 62n + 7n;

// The documented examples, and rows that stress each type: nulls, [] and null arrays, a null item, quotes,
// unicode and a line break, drift in `extra`, integers beyond 2^53 (as bigint and as the exact parser's text).
function rowsOf(table: Table): ParquetRow[] {
  const examples = [...specExample(table).data, ...guideExample(table).data];
  const odd = {
    ...examples[0],
    callerName: 'Zoë "Z" O\'Brien\nline two 📞',
    departments: [],
    branches: null,
    connectTimeUTC: 0,
    callTime: 'n/a',
    newField: { nested: ['x'] },
  };
  const rows: ParquetRow[] = [...examples, odd].map((apiRow) => normalizeRow(table, apiRow, lineage).row);
  const empty = Object.fromEntries(columnsOf(table).map((c) => [c.name, null]));
  rows.push(empty);
  rows.push({ ...rows[0], talk_time_ms: BEYOND_2_53, call_time: new RawInteger('-9223372036854775808') });
  rows.push({ ...rows[0], departments: ['a', null, 'b'], branches: [''] });
  return rows;
}

const INT64 = new Set(['bigint', 'epoch_ms']);

/** A row as both readers give it back: 64-bit integers as bigint, an absent column as null. */
function expected(table: Table, row: ParquetRow): Record<string, unknown> {
  return Object.fromEntries(
    columnsOf(table).map((c) => {
      const v = row[c.name] ?? null;
      if (v === null || !INT64.has(c.type)) return [c.name, v];
      return [c.name, v instanceof RawInteger ? BigInt(v.raw) : BigInt(v as number | bigint)];
    }),
  );
}

async function duckdbRead(file: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(sql.replaceAll('$file', `'${file}'`))).getRowObjectsJS();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

const arrayBufferOf = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

describe.each(TABLES)('a %s Parquet object', (table) => {
  const rows = rowsOf(table);
  // Row groups of 3 rows: the round trip crosses row groups.
  const bytes = writeParquet(table, rows, 3);
  const file = join(dir, `${table}.parquet`);
  writeFileSync(file, bytes);

  it('reads back in DuckDB exactly as written, integers beyond 2^53 and arrays included', async () => {
    const back = await duckdbRead(file, 'SELECT * FROM read_parquet($file)');
    expect(back).toEqual(rows.map((row) => expected(table, row)));
    expect(back.at(-2)?.talk_time_ms).toBe(BEYOND_2_53);
  });

  it('reads back in hyparquet, an independent reader, exactly as written', async () => {
    const back = await parquetReadObjects({ file: arrayBufferOf(bytes) });
    expect(back).toEqual(rows.map((row) => expected(table, row)));
  });

  it("has every column of the table, in order, each of its Glue JSON column's type", async () => {
    const described = await duckdbRead(file, 'DESCRIBE SELECT * FROM read_parquet($file)');
    const types = Object.fromEntries(described.map((r) => [r.column_name, r.column_type]));
    expect(types).toEqual(duckdbColumns(table));
    expect(Object.keys(types)).toEqual(glueColumns(table).map((c) => c.name));
  });

  it('is Snappy-compressed, in row groups of the size asked', () => {
    const meta = parquetMetadata(arrayBufferOf(bytes));
    const sizes = Array.from({ length: Math.ceil(rows.length / 3) }, (_, i) =>
      Math.min(3, rows.length - 3 * i),
    );
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual(sizes);
    expect(sizes.length).toBeGreaterThan(1);
    const codecs = new Set(meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
    expect([...codecs]).toEqual(['SNAPPY']);
  });
});

describe.each(LAKE_TABLES)('the Parquet schema of %s', (table) => {
  it('declares each column as Athena reads its Glue type, every one nullable', () => {
    const schema = parquetSchemaOf(table);
    const top: Record<string, string> = {};
    for (let i = 1; i < schema.length; i++) {
      const element = schema[i];
      if (!element) continue;
      const leaf = `${element.type}${element.converted_type === 'UTF8' ? '/UTF8' : ''}`;
      if (element.converted_type === 'LIST') {
        const [list, item] = [schema[i + 1], schema[i + 2]];
        expect(list).toMatchObject({ name: 'list', repetition_type: 'REPEATED', num_children: 1 });
        expect(item).toMatchObject({ name: 'element', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY' });
        top[element.name] = 'array<string>';
        i += 2;
      } else {
        top[element.name] = { 'BYTE_ARRAY/UTF8': 'string', INT64: 'bigint', INT32: 'int' }[leaf] ?? leaf;
      }
      expect(element.repetition_type).toBe('OPTIONAL');
    }
    expect(top).toEqual(Object.fromEntries(glueColumns(table).map((c) => [c.name, c.type])));
    expect(schema[0]).toMatchObject({ num_children: columnsOf(table).length });
  });
});

describe('a row that does not fit the schema', () => {
  const base = (): LakeRow => ({
    ...normalizeRow('call-legs', specExample('call-legs').data[0], lineage).row,
  });
  it.each([
    ['a string column holding a number', { call_id: 42 }, /column call_id must hold string, got number 42/],
    [
      'a bigint column holding a fraction',
      { talk_time_ms: 1.5 },
      /talk_time_ms must hold bigint, got number 1.5/,
    ],
    ['a bigint column beyond 64 bits', { call_time: 2n ** 63n }, /call_time must hold bigint/],
    ['an array with a number', { departments: ['a', 1] }, /departments must hold string\[\]/],
    ['an int column beyond 32 bits', { _attempt: 2 ** 31 }, /_attempt must hold int/],
    ['a column the schema lacks', { surprise: 'x' }, /column surprise is not in the schema/],
  ])('is refused, naming the column and what to do: %s', (_, change, message) => {
    const writer = new ParquetTableWriter('call-legs');
    writer.append(base());
    expect(() => writer.append({ ...base(), ...change } as ParquetRow)).toThrow(ParquetRowError);
    expect(() => writer.append({ ...base(), ...change } as ParquetRow)).toThrow(message);
    expect(() => writer.append({ ...base(), ...change } as ParquetRow)).toThrow(/row 1: .*walake rerun/);
  });
});

describe('an empty table', () => {
  it('is a valid Parquet object with every column and no row', async () => {
    const file = join(dir, 'empty.parquet');
    writeFileSync(file, writeParquet('call-records', []));
    expect(await duckdbRead(file, 'SELECT count(*) AS n FROM read_parquet($file)')).toEqual([{ n: 0n }]);
    const described = await duckdbRead(file, 'DESCRIBE SELECT * FROM read_parquet($file)');
    expect(described.map((r) => r.column_name)).toEqual(Object.keys(duckdbColumns('call-records')));
  });
});
