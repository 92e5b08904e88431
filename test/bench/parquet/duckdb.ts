import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { BENCH_ROW_GROUP_ROWS, type WriteParquet } from './candidate.js';
import type { BenchKind } from './day-rows.js';

/**
 * DuckDB (@duckdb/node-api, a native library): the rows as JSON lines, as the lake holds them, read with the
 * schema's columns and written by `COPY ... TO ... (FORMAT parquet)`.
 */

const TYPE: Record<BenchKind, string> = {
  string: 'VARCHAR',
  int64: 'BIGINT',
  int32: 'INTEGER',
  boolean: 'BOOLEAN',
  strings: 'VARCHAR[]',
};

// 64-bit integers as their digits: JSON.stringify refuses a bigint.
const line = (row: Record<string, unknown>) =>
  JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? `\u0000${v}\u0000` : v)).replace(
    /"\\u0000(-?\d+)\\u0000"/g,
    '$1',
  );

export const write: WriteParquet = async (columns, rows) => {
  const dir = await mkdtemp(join(tmpdir(), 'walake-duckdb-parquet-'));
  try {
    const json = join(dir, 'rows.json');
    const out = join(dir, 'out.parquet');
    const lines: string[] = [];
    for (const row of rows) lines.push(line(row));
    await writeFile(json, lines.length ? `${lines.join('\n')}\n` : '');
    const map = columns.map(({ name, kind }) => `'${name}': '${TYPE[kind]}'`).join(', ');
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    try {
      await connection.run(
        `COPY (SELECT * FROM read_json('${json}', format = 'newline_delimited', columns = {${map}})) ` +
          `TO '${out}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${BENCH_ROW_GROUP_ROWS})`,
      );
    } finally {
      connection.closeSync();
      db.closeSync();
    }
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
