import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { ParquetTableWriter } from '../../../functions/core/parquet/write-parquet.js';
import type { LakeRow } from '../../../functions/core/record-schema.js';
import { BENCH_ROW_GROUP_ROWS, type WriteParquet } from './candidate.js';
import type { BenchKind } from './day-rows.js';

/** hyparquet-writer: pure JavaScript, one dependency (hyparquet), Snappy built in. */

/** The day through the lake's own writer (functions/core/parquet), as a compaction runs it. */
export async function writeDay(rows: Iterable<LakeRow>): Promise<Uint8Array> {
  const writer = new ParquetTableWriter('call-legs', BENCH_ROW_GROUP_ROWS);
  for (const row of rows) writer.append(row);
  return writer.finish();
}

const STRING = { type: 'BYTE_ARRAY', converted_type: 'UTF8' } as const;
const LEAF: Record<Exclude<BenchKind, 'strings'>, Omit<SchemaElement, 'name'>> = {
  string: STRING,
  int64: { type: 'INT64' },
  int32: { type: 'INT32' },
  boolean: { type: 'BOOLEAN' },
};

/** Any columns, the library alone (the probe has a boolean column, which the lake's schema has not). */
export const write: WriteParquet = async (columns, rows) => {
  const schema: SchemaElement[] = [{ name: 'schema', num_children: columns.length }];
  for (const { name, kind } of columns) {
    if (kind !== 'strings') schema.push({ name, repetition_type: 'OPTIONAL', ...LEAF[kind] });
    else {
      schema.push(
        { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', repetition_type: 'OPTIONAL', ...STRING },
      );
    }
  }
  const all = [...rows];
  const columnData = columns.map(({ name }) => ({ name, data: all.map((row) => row[name] ?? null) }));
  const out = new ByteWriter();
  const writer = new ParquetWriter({ writer: out, schema, codec: 'SNAPPY' });
  void writer.write({ columnData: columnData as never, rowGroupSize: BENCH_ROW_GROUP_ROWS });
  writer.finish();
  return out.getBytes();
};
