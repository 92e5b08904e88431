import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { build } from 'esbuild';
import { parquetMetadata, parquetReadObjects, type SchemaElement } from 'hyparquet';
import type { Figure } from './figure.js';
import { fixed, median, runChild } from './measure.js';
import { type BenchColumn, dayRow, LEG_COLUMNS, PROBE_COLUMNS, PROBE_ROWS } from './parquet/day-rows.js';

/**
 * The Parquet writer benchmark (`npm run bench -- --only parquet`): each candidate writes the same 200k-row
 * day of call legs; measured are its bundle, its write rate, its peak RSS (own process), whether DuckDB and
 * hyparquet read every row back exactly, and whether the types probe (64-bit extremes, nulls, [] and null
 * arrays, booleans, JSON text) survives.
 */
const WORKER = fileURLToPath(new URL('./parquet/worker.js', import.meta.url));
const DAY_ROWS = 200_000;
const CANDIDATES = [
  // The lake's own writer is what ships: its bundle is the module a compaction imports.
  { name: 'hyparquet-writer', entry: 'functions/core/parquet/write-parquet.ts', assets: [] },
  {
    name: 'parquet-wasm',
    entry: 'test/bench/parquet/parquet-wasm.ts',
    assets: ['parquet-wasm/node/parquet_wasm_bg.wasm'],
  },
  { name: 'parquetjs', entry: 'test/bench/parquet/parquetjs.ts', assets: [] },
  {
    name: 'duckdb',
    entry: 'test/bench/parquet/duckdb.ts',
    assets: ['@duckdb/node-bindings-linux-x64/duckdb.node', '@duckdb/node-bindings-linux-x64/libduckdb.so'],
  },
] as const;

/** A value as one canonical text, so that a bigint and an equal number, or two readers' lists, compare equal. */
function canon(value: unknown): string {
  if (value === null || value === undefined) return 'N';
  if (typeof value === 'bigint' || typeof value === 'number') return `I${value}`;
  if (typeof value === 'boolean') return `B${value}`;
  return `${Array.isArray(value) ? 'A' : 'S'}${JSON.stringify(value)}`;
}

/** How many rows a reader gave back differently from what was written, and the first differing column. */
function compare(
  columns: readonly BenchColumn[],
  back: Record<string, unknown>[],
  expected: (i: number) => Record<string, unknown>,
  count: number,
): string {
  if (back.length !== count) return `${back.length} rows instead of ${count}`;
  let bad = 0;
  let first = '';
  for (let i = 0; i < count; i++) {
    const want = expected(i);
    const got = back[i] ?? {};
    for (const { name } of columns) {
      if (canon(want[name]) !== canon(got[name])) {
        bad++;
        first ||= `row ${i} ${name}: wrote ${canon(want[name])}, read ${canon(got[name])}`;
        break;
      }
    }
  }
  return bad === 0 ? 'exact' : `${bad} rows differ (${first})`;
}

async function duckdbRows(file: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

async function hyparquetRows(file: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return parquetReadObjects({ file: buffer });
}

/** What of the file's schema Athena would not read as the Glue type, and its codecs. */
function schemaProblems(
  file: string,
  columns: readonly BenchColumn[],
): { problems: string[]; codecs: string } {
  const bytes = readFileSync(file);
  const meta = parquetMetadata(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  const schema: SchemaElement[] = meta.schema;
  const utf8 = (e: SchemaElement | undefined) =>
    e?.type === 'BYTE_ARRAY' && (e.converted_type === 'UTF8' || e.logical_type?.type === 'STRING');
  const problems: string[] = [];
  for (const { name, kind } of columns) {
    const at = schema.findIndex((e) => e.name === name);
    const e = schema[at];
    const ok =
      kind === 'string'
        ? utf8(e)
        : kind === 'int64'
          ? e?.type === 'INT64' && (e.converted_type === undefined || e.converted_type === 'INT_64')
          : kind === 'int32'
            ? e?.type === 'INT32'
            : kind === 'boolean'
              ? e?.type === 'BOOLEAN'
              : (e?.converted_type === 'LIST' || e?.logical_type?.type === 'LIST') &&
                schema[at + 1]?.repetition_type === 'REPEATED' &&
                utf8(schema[at + 2]);
    if (!ok) problems.push(`${name} (${kind}) is ${JSON.stringify(e)}`);
  }
  const codecs = new Set(meta.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec ?? '?')));
  return { problems, codecs: [...codecs].join('+') };
}

async function bundleKb(
  root: string,
  dir: string,
  entry: string,
  assets: readonly string[],
): Promise<string> {
  const outfile = join(dir, `${entry.replaceAll('/', '_')}.mjs`);
  try {
    await build({
      entryPoints: [join(root, entry)],
      outfile,
      absWorkingDir: root,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      mainFields: ['module', 'main'],
      external: ['*.node'],
      logLevel: 'silent',
    });
  } catch (error) {
    return `esbuild failed: ${(error as Error).message.split('\n')[0]}`;
  }
  const js = (await stat(outfile)).size;
  const extra = assets.reduce((sum, a) => sum + statSync(join(root, 'node_modules', a)).size, 0);
  return extra === 0
    ? `${fixed(js / 1000, 0)} KB`
    : `${fixed((js + extra) / 1e6, 1)} MB (${fixed(js / 1000, 0)} KB of JS + ${fixed(extra / 1e6, 1)} MB of ${assets.map((a) => a.split('/').at(-1)).join(', ')})`;
}

interface Run {
  ms: number[];
  maxRssMb: number;
  bytes: number;
}

async function run(name: string, mode: string, rows: number, out: string, repeats = 1): Promise<Run> {
  const { stdout } = await runChild(process.execPath, [
    WORKER,
    name,
    mode,
    String(rows),
    out,
    String(repeats),
  ]);
  return JSON.parse(stdout) as Run;
}

/** One figure per candidate: bundle, rows/s, peak RSS, read-back by two readers, the types Athena needs. */
export async function parquetWriterFigures(root: string, repeats: number): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'walake-parquet-'));
  const figures: Figure[] = [];
  try {
    for (const c of CANDIDATES) {
      const file = join(dir, `${c.name}.parquet`);
      const probeFile = join(dir, `${c.name}-probe.parquet`);
      const bundle = await bundleKb(root, dir, c.entry, c.assets);
      const idle = await run(c.name, 'idle', 0, '');
      const streamed = await run(c.name, 'stream', DAY_ROWS, file);
      const timed = await run(c.name, 'time', DAY_ROWS, file, repeats);
      await run(c.name, 'probe', 0, probeFile);
      const expected = (i: number) => dayRow(i);
      const byDuckdb = compare(LEG_COLUMNS, await duckdbRows(file), expected, DAY_ROWS);
      const byHyparquet = compare(LEG_COLUMNS, await hyparquetRows(file), expected, DAY_ROWS);
      const probe = (i: number) => PROBE_ROWS[i] ?? {};
      const probeDuckdb = compare(PROBE_COLUMNS, await duckdbRows(probeFile), probe, PROBE_ROWS.length);
      const probeHyparquet = compare(PROBE_COLUMNS, await hyparquetRows(probeFile), probe, PROBE_ROWS.length);
      const day = schemaProblems(file, LEG_COLUMNS);
      const types = schemaProblems(probeFile, PROBE_COLUMNS);
      const rate = DAY_ROWS / (median(timed.ms) / 1000);
      const exact = [byDuckdb, byHyparquet, probeDuckdb, probeHyparquet].every((v) => v === 'exact');
      const typed = day.problems.length === 0 && types.problems.length === 0;
      figures.push({
        name: `Parquet writer ${c.name}: a ${DAY_ROWS}-row call-legs day`,
        value:
          `${fixed(rate / 1000, 1)}k rows/s; peak RSS ${fixed(streamed.maxRssMb, 0)} MB; ` +
          `${fixed(streamed.bytes / 1e6, 1)} MB ${day.codecs}; bundle ${bundle}`,
        goal: 'exact read-back by DuckDB and hyparquet; Athena types',
        met: exact && typed,
        why:
          `write ${fixed(median(timed.ms) / 1000, 2)} s (median of ${timed.ms.length}, the day built in memory first); ` +
          `peak RSS with the day streamed in (its modules alone: ${fixed(idle.maxRssMb, 0)} MB); ` +
          `read back: DuckDB ${byDuckdb}, hyparquet ${byHyparquet}; types probe (int64 ±2^63 and 2^53+1, ` +
          `nulls, [] / null / a null item, booleans, JSON text): DuckDB ${probeDuckdb}, hyparquet ${probeHyparquet}; ` +
          `schema: ${[...day.problems, ...types.problems].join('; ') || 'bigint INT64, int INT32, string UTF8, array<string> a 3-level LIST, boolean BOOLEAN'}`,
      });
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
