import { Writable } from 'node:stream';
import { ParquetSchema, ParquetWriter } from '@dsnp/parquetjs';
import { BENCH_ROW_GROUP_ROWS, type WriteParquet } from './candidate.js';
import type { BenchKind } from './day-rows.js';

/** @dsnp/parquetjs: pure JavaScript (the maintained fork of parquetjs), rows appended one at a time. */

const FIELD: Record<BenchKind, Record<string, unknown>> = {
  string: { type: 'UTF8' },
  int64: { type: 'INT64' },
  int32: { type: 'INT32' },
  boolean: { type: 'BOOLEAN' },
  strings: {
    type: 'LIST',
    fields: { list: { repeated: true, fields: { element: { type: 'UTF8', optional: true } } } },
  },
};

export const write: WriteParquet = async (columns, rows) => {
  const schema = new ParquetSchema(
    Object.fromEntries(
      columns.map(({ name, kind }) => [name, { ...FIELD[kind], optional: true, compression: 'SNAPPY' }]),
    ) as never,
  );
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const writer = await ParquetWriter.openStream(schema, sink as never, {
    rowGroupSize: BENCH_ROW_GROUP_ROWS,
  });
  const lists = columns.filter((c) => c.kind === 'strings').map((c) => c.name);
  for (const row of rows) {
    // Its LIST takes the nested shape of the schema: { list: [{ element }] }.
    const shaped: Record<string, unknown> = { ...row };
    for (const name of lists) {
      const items = row[name] as (string | null)[] | null | undefined;
      shaped[name] = items ? { list: items.map((element) => ({ element })) } : null;
    }
    for (const key in shaped) if (shaped[key] === null) delete shaped[key];
    await writer.appendRow(shaped);
  }
  await writer.close();
  return Buffer.concat(chunks);
};
