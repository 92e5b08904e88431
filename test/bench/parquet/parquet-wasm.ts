import {
  Bool,
  Field,
  Int32,
  Int64,
  List,
  type RecordBatch,
  Table,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { Compression, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { BENCH_ROW_GROUP_ROWS, type WriteParquet } from './candidate.js';
import type { BenchKind } from './day-rows.js';

/** parquet-wasm (Rust's parquet crate in WebAssembly) fed an Arrow table built with apache-arrow. */

const TYPE = {
  string: () => new Utf8(),
  int64: () => new Int64(),
  int32: () => new Int32(),
  boolean: () => new Bool(),
  strings: () => new List(new Field('element', new Utf8(), true)),
} satisfies Record<BenchKind, () => unknown>;

const int64 = (v: unknown) => (v === null || v === undefined ? null : BigInt(v as number | bigint));

export const write: WriteParquet = async (columns, rows) => {
  // Arrow is columnar: each batch of rows is transposed into one vector per column.
  const batches: RecordBatch[] = [];
  let batch: Record<string, unknown>[] = [];
  const flush = () => {
    const vectors = Object.fromEntries(
      columns.map(({ name, kind }) => {
        const values = batch.map((row) => (kind === 'int64' ? int64(row[name]) : (row[name] ?? null)));
        return [name, vectorFromArray(values as never, TYPE[kind]() as never)];
      }),
    );
    batches.push(...new Table(vectors).batches);
    batch = [];
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= BENCH_ROW_GROUP_ROWS) flush();
  }
  if (batch.length > 0 || batches.length === 0) flush();
  const table = new Table(batches);
  const properties = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .setMaxRowGroupSize(BENCH_ROW_GROUP_ROWS)
    .build();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), properties);
};
