import type { BenchColumn } from './day-rows.js';

/** A Parquet writer under test: rows of the given columns to one Snappy-compressed Parquet object. */
export type WriteParquet = (
  columns: readonly BenchColumn[],
  rows: Iterable<Record<string, unknown>>,
) => Promise<Uint8Array>;

/** Rows per row group, the same for every candidate (the lake's writer uses it too). */
export const BENCH_ROW_GROUP_ROWS = 50_000;
