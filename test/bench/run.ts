import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Window, windowId } from '../../functions/core/windows.js';
import { backfillFigures } from './backfill.js';
import { bundleFigures } from './bundles.js';
import { type ApiUse, apiFigure, chainFigures } from './chain.js';
import { cpuPathFigure, fetchPageText } from './cpu-path.js';
import type { Figure } from './figure.js';
import { FINDINGS } from './findings.js';
import { textTable, writeMarkdown } from './report.js';
import { rssFigures } from './rss.js';
import { startSimProcess } from './sim-process.js';
import { startupFigure } from './startup.js';

/**
 * `npm run bench`: every figure of issue 7 in one run on the simulator, printed as one table and written to
 * BENCHMARKS.md. `--quick` repeats each timing once, to try the benchmark out.
 */
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const LATENCY_MS = 50;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// Mean calls per hour per PBX: the simulator's default (about 800 legs in a busy hour), and a heavy account
// whose busy hour holds several 7000-row pages.
const TRAFFIC = { usual: 40, heavy: 1800 };
const PUBLISH_PAGES = 29;

const quick = process.argv.includes('--quick');
const repeats = (n: number) => (quick ? 1 : n);
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);

/** A week of past data: Monday 00:00 UTC two weeks back, and the busy hour of its Wednesday (10:00 New York). */
function week(): { from: number; to: number; busyHour: Window } {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const weekday = (new Date(today).getUTCDay() + 6) % 7; // Monday 0
  const from = today - (weekday + 14) * DAY_MS;
  const start = from + 2 * DAY_MS + 15 * HOUR_MS;
  return { from, to: from + 7 * DAY_MS, busyHour: { startMs: start, endMs: start + HOUR_MS } };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  const { from, to, busyHour } = week();
  const figures: Figure[] = [];
  const uses: ApiUse[] = [];
  const one = { table: 'call-legs' as const, fromMs: busyHour.startMs, toMs: busyHour.endMs };

  log('walake --help start-up');
  figures.push(await startupFigure(ROOT, repeats(10)));
  log('bundles');
  figures.push(...(await bundleFigures(ROOT, ['worker', 'planner'], repeats(5))));

  log(`simulator, ${TRAFFIC.usual} calls/hour per PBX, ${LATENCY_MS} ms per report request`);
  const usual = await startSimProcess({ callsPerHour: TRAFFIC.usual, latencyMs: LATENCY_MS });
  try {
    log('one window, small pages');
    const small = await chainFigures({
      label: 'usual traffic',
      sim: usual,
      scenario: { ...one, pageSize: 100 },
      latencyMs: LATENCY_MS,
      repeats: repeats(5),
    });
    figures.push(...small.figures);
    uses.push(small.api);
    log('7-day backfill');
    const backfill = await backfillFigures(
      usual,
      { table: 'call-legs', fromMs: from, toMs: to, pageSize: 7000 },
      LATENCY_MS,
      repeats(3),
    );
    figures.push(...backfill.figures);
    uses.push(backfill.api);
  } finally {
    await usual.close();
  }

  log(`simulator, ${TRAFFIC.heavy} calls/hour per PBX`);
  const heavy = await startSimProcess({ callsPerHour: TRAFFIC.heavy, latencyMs: LATENCY_MS });
  try {
    log('one window, 7000-row pages');
    const big = await chainFigures({
      label: 'heavy traffic',
      sim: heavy,
      scenario: { ...one, pageSize: 7000 },
      latencyMs: LATENCY_MS,
      repeats: repeats(3),
    });
    figures.push(...big.figures);
    uses.push(big.api);
    log('CPU path');
    await heavy.setLatency(0);
    for (const table of ['call-legs', 'call-records'] as const) {
      const text = await fetchPageText(heavy, table, busyHour, 7000);
      figures.push(cpuPathFigure(table, busyHour, text, repeats(9)));
    }
    await heavy.setLatency(LATENCY_MS);
    log('peak RSS');
    figures.push(...(await rssFigures(heavy, windowId(busyHour), PUBLISH_PAGES)));
  } finally {
    await heavy.close();
  }
  figures.push(apiFigure(uses));

  const day = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  await writeMarkdown(
    join(ROOT, 'BENCHMARKS.md'),
    {
      date: new Date().toISOString().slice(0, 10),
      loadAtStart,
      latencyMs: LATENCY_MS,
      lines: [
        `The 8x8 simulator runs in a process of its own (its page rendering must not share the measured event ` +
          `loop), answering every report request after ${LATENCY_MS} ms.`,
        `Usual traffic: ${TRAFFIC.usual} calls/hour per PBX (3 PBXes); heavy: ${TRAFFIC.heavy}. Call legs only.`,
        `One window: ${day(busyHour.startMs)}–${day(busyHour.endMs)} UTC, a busy hour; usual traffic with ` +
          "pageSize 100 (several small pages), heavy traffic with pageSize 7000 (`walake run`'s default).",
        `Backfill: ${day(from)} to ${day(to)} UTC, hourly grid, pageSize 7000.`,
        "`walake run` is `runLocal` (the CLI's core, a folder and the in-process FIFO queue); the baseline is a " +
          'sequential scroll with plain fetch appending JSON lines (test/bench/baseline.ts).',
        quick
          ? '**--quick: every timing taken once; do not quote these figures.**'
          : 'Medians of: `--help` 10 runs, cold import 5 fresh processes, one window 5 runs (small pages) or 3 ' +
            '(7000-row pages), backfill 3 runs of each case, CPU path 9 runs after a warm-up.',
      ],
    },
    figures,
    FINDINGS,
  );
  process.stdout.write(`${textTable(figures)}\n\nDetails: BENCHMARKS.md\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
