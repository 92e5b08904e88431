import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { WalakeError } from '../errors.js';
import { RawInteger } from '../exact-json.js';
import { type ColumnType, columnsOf, type LakeRow } from '../record-schema.js';
import type { LakeTable } from '../tables.js';
import { parquetSchemaOf } from './parquet-schema.js';

/**
 * Lake rows to one Parquet object (hyparquet-writer, Snappy; chosen by measurement, see BENCHMARKS.md), row
 * group by row group, so that a day of 200 000 rows never lies in memory as columns all at once.
 */

/**
 * A row to write: a lake row as `JSON.parse` (or `parseExactJson`) gives it back from a JSON line. A bigint
 * column also takes a `bigint` or a {@link RawInteger}, so that a 64-bit integer beyond 2^53 stays exact.
 */
export type ParquetRow = Readonly<Record<string, LakeRow[string] | bigint | RawInteger | undefined>>;

/**
 * Rows per row group. A 200k-row call-legs day streamed in peaks at 213 MB of RSS with 10 000 (7.2 s), 606 MB
 * with 50 000 (10.2 s), for a file 1.7 % larger: about 1 MB a group, still few requests for Athena.
 */
export const ROW_GROUP_ROWS = 10_000;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MAX = 2 ** 31 - 1;

/** A row that does not fit the table's schema: nothing is written, the message says what to do. */
export class ParquetRowError extends WalakeError {
  override readonly name = 'ParquetRowError';
  override readonly retryable = false;
}

type Convert = (value: unknown) => unknown;
const BAD = Symbol('bad value');

function int64(value: unknown): bigint | null | typeof BAD {
  if (value === null || value === undefined) return null;
  let n: bigint | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === 'bigint') n = value;
  else if (value instanceof RawInteger) n = BigInt(value.raw);
  return n !== undefined && n >= INT64_MIN && n <= INT64_MAX ? n : BAD;
}

const CONVERT: Readonly<Record<ColumnType, Convert>> = {
  string: (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : BAD),
  local_time: (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : BAD),
  epoch_ms: int64,
  bigint: int64,
  int: (v) =>
    v === null || v === undefined
      ? null
      : Number.isInteger(v) && Math.abs(v as number) <= INT32_MAX
        ? v
        : BAD,
  'string[]': (v) => {
    if (v === null || v === undefined) return null;
    if (!Array.isArray(v)) return BAD;
    for (const item of v) if (item !== null && typeof item !== 'string') return BAD;
    return v;
  },
};

function describe(value: unknown): string {
  if (value instanceof RawInteger) return `the integer ${value.raw}`;
  const text = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  return `${Array.isArray(value) ? 'array' : typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/**
 * Writes one table's rows as one Parquet object: {@link append} each row, then {@link finish}. Every column of
 * the table's schema is present, of the type of its Glue JSON column; a column a row lacks is null.
 */
export class ParquetTableWriter {
  private readonly columns;
  private readonly names: ReadonlySet<string>;
  private readonly out = new ByteWriter();
  private readonly writer: ParquetWriter;
  private buffer: unknown[][];
  private buffered = 0;
  private written = 0;

  constructor(
    readonly table: LakeTable,
    private readonly rowGroupRows = ROW_GROUP_ROWS,
  ) {
    if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
      throw new RangeError(`rowGroupRows must be a positive integer; got ${rowGroupRows}`);
    }
    this.columns = columnsOf(table).map((c) => ({ name: c.name, type: c.type, convert: CONVERT[c.type] }));
    this.names = new Set(this.columns.map((c) => c.name));
    this.writer = new ParquetWriter({ writer: this.out, schema: parquetSchemaOf(table), codec: 'SNAPPY' });
    this.buffer = this.columns.map(() => []);
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.written + this.buffered;
  }

  /**
   * Adds a row; a row group is written each {@link ROW_GROUP_ROWS} rows.
   * @throws ParquetRowError when a value does not fit its column, or the row has a column the schema lacks.
   */
  append(row: ParquetRow): void {
    const index = this.rows;
    for (const key in row) {
      if (!this.names.has(key)) {
        throw new ParquetRowError(
          `${this.table} row ${index}: column ${key} is not in the schema; the object was written by another ` +
            'schema version: republish its window (walake rerun) with this one, or add the column in columns-*.ts',
        );
      }
    }
    for (let c = 0; c < this.columns.length; c++) {
      const column = this.columns[c] as (typeof this.columns)[number];
      const value = column.convert(row[column.name]);
      if (value === BAD) {
        throw new ParquetRowError(
          `${this.table} row ${index}: column ${column.name} must hold ${column.type}, got ` +
            `${describe(row[column.name])}; republish its window (walake rerun), which coerces every value`,
        );
      }
      (this.buffer[c] as unknown[]).push(value);
    }
    this.buffered++;
    if (this.buffered >= this.rowGroupRows) this.flush();
  }

  /** Writes the last row group and the footer; the Parquet object. An empty table is a valid empty file. */
  finish(): Uint8Array {
    if (this.buffered > 0 || this.written === 0) this.flush();
    this.writer.finish();
    return this.out.getBytes();
  }

  private flush(): void {
    const columnData = this.columns.map((c, i) => ({ name: c.name, data: this.buffer[i] as unknown[] }));
    // hyparquet-writer's write() is synchronous with a ByteWriter (no async flush).
    void this.writer.write({ columnData: columnData as never, rowGroupSize: Math.max(this.buffered, 1) });
    this.written += this.buffered;
    this.buffered = 0;
    this.buffer = this.columns.map(() => []);
  }
}

/** The Parquet object of a table's rows (see {@link ParquetTableWriter}). */
export function writeParquet(
  table: LakeTable,
  rows: Iterable<ParquetRow>,
  rowGroupRows?: number,
): Uint8Array {
  const writer = new ParquetTableWriter(table, rowGroupRows);
  for (const row of rows) writer.append(row);
  return writer.finish();
}
