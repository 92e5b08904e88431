import { readFileSync, writeFileSync } from 'node:fs';
import type { WriteParquet } from './candidate.js';
import { dayRow, dayRows, LEG_COLUMNS, PROBE_COLUMNS, PROBE_ROWS } from './day-rows.js';

/**
 * One Parquet writer in a process of its own, so that its peak RSS is its own:
 * `node worker.js <candidate> <mode> <rows> <out> [repeats]` prints `{ ms, maxRssMb, bytes }` and leaves the
 * Parquet object at `out`. Modes: `idle` (the writer's modules loaded, nothing written), `stream` (the day's
 * rows streamed into the writer as a compaction would, for the peak RSS), `time` (the day built first, then
 * written `repeats` times, for rows/s), `probe` (the types probe's rows).
 */

const CANDIDATES = ['hyparquet-writer', 'parquet-wasm', 'parquetjs', 'duckdb'] as const;

async function load(name: string): Promise<{ write: WriteParquet; writeDay?: WriteParquet }> {
  if (!(CANDIDATES as readonly string[]).includes(name)) {
    throw new Error(`parquet worker: unknown candidate ${name}; one of ${CANDIDATES.join(', ')}`);
  }
  const module = (await import(`./${name}.js`)) as {
    write: WriteParquet;
    writeDay?: (rows: never) => Promise<Uint8Array>;
  };
  const { writeDay } = module;
  return {
    write: module.write,
    ...(writeDay ? { writeDay: (_: unknown, rows: Iterable<unknown>) => writeDay(rows as never) } : {}),
  };
}

// As rss-worker.ts: VmHWM, not maxRSS, which a spawned child inherits from its parent's fork.
function peakRssMb(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const [name = '', mode = '', count = '0', out = '', repeats = '1'] = process.argv.slice(2);
  const { write, writeDay = write } = await load(name);
  const rows = Number(count);
  const times: number[] = [];
  let bytes: Uint8Array = new Uint8Array();
  if (mode === 'stream') {
    const started = performance.now();
    bytes = await writeDay(LEG_COLUMNS, dayRows(rows));
    times.push(performance.now() - started);
  } else if (mode === 'time') {
    const day = Array.from({ length: rows }, (_, i) => dayRow(i));
    for (let i = 0; i < Number(repeats); i++) {
      const started = performance.now();
      bytes = await writeDay(LEG_COLUMNS, day);
      times.push(performance.now() - started);
    }
  } else if (mode === 'probe') {
    bytes = await write(PROBE_COLUMNS, PROBE_ROWS);
  } else if (mode !== 'idle') {
    throw new Error(`parquet worker: unknown mode ${mode}; one of idle, stream, time, probe`);
  }
  if (out !== '' && mode !== 'idle') writeFileSync(out, bytes);
  process.stdout.write(`${JSON.stringify({ ms: times, maxRssMb: peakRssMb(), bytes: bytes.length })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
