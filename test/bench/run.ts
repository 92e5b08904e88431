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
import { limitedBackfillFigure } from './limited.js';
import { parquetWriterFigures } from './parquet-writers.js';
import { textTable, writeMarkdown } from './report.js';
import { rssFigures } from './rss.js';
import { probeFindings } from './scenario.js';
import { BENCH_NOW_MS, startSimProcess } from './sim-process.js';
import { startupFigure } from './startup.js';

/**
 * `npm run bench`: every figure in one run on the simulator, printed as one table and written to
 * BENCHMARKS.md. `--quick` repeats each timing once, to try the benchmark out. `--only GROUP[,GROUP]` measures
 * some groups only (startup, bundles, chain, backfill, limited, heavy, cpu, rss, parquet) and prints them without writing
 * BENCHMARKS.md.
 */
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const LATENCY_MS = 150;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
// Mean calls per hour per PBX: the simulator's default (about 800 legs in a busy hour), and a heavy account
// whose busy hour holds several 7000-row pages.
const TRAFFIC = { usual: 40, heavy: 1800 };
const PUBLISH_PAGES = 29;
/** The parallel backfill's cap on chains in flight, and the speedup it must reach over the sequential loop. */
const CONCURRENCY = 8;
const SPEEDUP_GOAL = 5;
/** The rate-limited backfill: days, and report requests a second the simulator allows. */
const LIMITED = { days: 30, perSecond: 8 };
/** Timed writes of the 200k-row day per Parquet writer: one, as the slowest takes half a minute on 2 cores. */
const PARQUET_REPEATS = 1;
const GROUPS = [
  'startup',
  'bundles',
  'chain',
  'backfill',
  'limited',
  'heavy',
  'cpu',
  'rss',
  'parquet',
] as const;
type Group = (typeof GROUPS)[number];

const quick = process.argv.includes('--quick');
const only = onlyGroups();
const repeats = (n: number) => (quick ? 1 : n);
const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const wanted = (group: Group) => only === undefined || only.includes(group);
const command = (group: Group) => `npm run bench -- --only ${group}`;
const tagged = (group: Group, figures: Figure[]) => figures.map((f) => ({ ...f, command: command(group) }));

function onlyGroups(): Group[] | undefined {
  const at = process.argv.indexOf('--only');
  if (at < 0) return undefined;
  const names = (process.argv[at + 1] ?? '').split(',').filter(Boolean);
  const bad = names.filter((n) => !(GROUPS as readonly string[]).includes(n));
  if (names.length === 0 || bad.length > 0) throw new Error(`--only takes some of ${GROUPS.join(', ')}`);
  return names as Group[];
}

/** Monday 00:00 UTC two weeks before the bench's instant, and the busy hour of its Wednesday (11:00 New York). */
function calendar(): { from: number; busyHour: Window } {
  const from = BENCH_NOW_MS - 14 * DAY_MS;
  const start = from + 2 * DAY_MS + 15 * HOUR_MS;
  return { from, busyHour: { startMs: start, endMs: start + HOUR_MS } };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  const { from, busyHour } = calendar();
  const twoDays = {
    table: 'call-legs' as const,
    fromMs: from + 2 * DAY_MS,
    toMs: from + 4 * DAY_MS,
    pageSize: 7000,
  };
  const limitedRange = {
    table: 'call-legs' as const,
    fromMs: from + 7 * DAY_MS - LIMITED.days * DAY_MS,
    toMs: from + 7 * DAY_MS,
    pageSize: 7000,
  };
  const figures: Figure[] = [];
  const uses: ApiUse[] = [];
  const one = { table: 'call-legs' as const, fromMs: busyHour.startMs, toMs: busyHour.endMs };

  if (wanted('startup')) {
    log('walake --help start-up');
    figures.push(...tagged('startup', [await startupFigure(ROOT, repeats(10))]));
  }
  if (wanted('bundles')) {
    log('bundles');
    figures.push(
      ...tagged('bundles', await bundleFigures(ROOT, ['worker', 'planner', 'governor'], repeats(5))),
    );
  }

  if (wanted('chain') || wanted('backfill')) {
    log(`simulator, ${TRAFFIC.usual} calls/hour per PBX, ${LATENCY_MS} ms per report request`);
    const usual = await startSimProcess({ callsPerHour: TRAFFIC.usual, latencyMs: LATENCY_MS });
    try {
      const findings = await probeFindings(usual);
      log(`the probe found full pages until the last: ${JSON.stringify(findings.fullPagesUntilLast)}`);
      if (wanted('chain')) {
        for (const pageSize of [7000, 100]) {
          log(`one window, pageSize ${pageSize}`);
          const chain = await chainFigures({
            label: `usual traffic, pageSize ${pageSize}`,
            sim: usual,
            scenario: { ...one, pageSize },
            latencyMs: LATENCY_MS,
            repeats: repeats(5),
            findings,
          });
          figures.push(...tagged('chain', chain.figures));
          uses.push(chain.api);
        }
      }
      if (wanted('backfill')) {
        log(`2-day backfill at c = ${CONCURRENCY}`);
        const backfill = await backfillFigures(usual, twoDays, {
          latencyMs: LATENCY_MS,
          repeats: repeats(3),
          concurrency: CONCURRENCY,
          findings,
          goal: SPEEDUP_GOAL,
        });
        figures.push(...tagged('backfill', backfill.figures));
        uses.push(backfill.api);
      }
    } finally {
      await usual.close();
    }
  }

  if (wanted('limited')) {
    log(`${LIMITED.days}-day backfill against ${LIMITED.perSecond} requests/s`);
    const limited = await startSimProcess({ callsPerHour: TRAFFIC.usual, latencyMs: LATENCY_MS });
    try {
      const findings = await probeFindings(limited);
      log(`the probe found full pages until the last: ${JSON.stringify(findings.fullPagesUntilLast)}`);
      const figure = await limitedBackfillFigure(limited, limitedRange, {
        perSecond: LIMITED.perSecond,
        concurrency: CONCURRENCY,
        findings,
      });
      figures.push(...tagged('limited', [figure]));
    } finally {
      await limited.close();
    }
  }

  if (wanted('heavy') || wanted('cpu') || wanted('rss')) {
    log(`simulator, ${TRAFFIC.heavy} calls/hour per PBX`);
    const heavy = await startSimProcess({ callsPerHour: TRAFFIC.heavy, latencyMs: LATENCY_MS });
    try {
      if (wanted('heavy')) {
        log('one window, 7000-row pages');
        const big = await chainFigures({
          label: 'heavy traffic',
          sim: heavy,
          scenario: { ...one, pageSize: 7000 },
          latencyMs: LATENCY_MS,
          repeats: repeats(3),
          findings: await probeFindings(heavy),
        });
        figures.push(...tagged('heavy', big.figures));
        uses.push(big.api);
      }
      if (wanted('cpu')) {
        log('CPU path');
        await heavy.setLatency(0);
        for (const table of ['call-legs', 'call-records'] as const) {
          const text = await fetchPageText(heavy, table, busyHour, 7000);
          figures.push(...tagged('cpu', [cpuPathFigure(table, busyHour, text, repeats(9))]));
        }
        await heavy.setLatency(LATENCY_MS);
      }
      if (wanted('rss')) {
        log('peak RSS');
        figures.push(...tagged('rss', await rssFigures(heavy, windowId(busyHour), PUBLISH_PAGES)));
      }
    } finally {
      await heavy.close();
    }
  }
  if (wanted('parquet')) {
    log('Parquet writers, a 200k-row day each');
    figures.push(...tagged('parquet', await parquetWriterFigures(ROOT, PARQUET_REPEATS)));
  }
  if (uses.length > 0)
    figures.push({ ...apiFigure(uses), command: 'npm run bench -- --only chain,backfill' });

  process.stdout.write(`${textTable(figures)}\n\n`);
  if (only !== undefined) {
    for (const f of figures) process.stdout.write(`- ${f.name}: ${f.why}\n`);
    process.stdout.write('(--only: BENCHMARKS.md left as it was)\n');
    return;
  }
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
        "Each lake first records what `walake probe` finds of the simulator's pages (full pages until the last), " +
          'so chains end on their last data page, as they would after `walake probe --out DIR`.',
        `One window: ${day(busyHour.startMs)}–${day(busyHour.endMs)} UTC, a busy hour, one chain (c = 1).`,
        `Backfill: ${day(twoDays.fromMs)} to ${day(twoDays.toMs)} UTC, hourly grid, pageSize 7000, at most ` +
          `${CONCURRENCY} chains (adaptive). Rate-limited backfill: ${day(limitedRange.fromMs)} to ` +
          `${day(limitedRange.toMs)} UTC against ${LIMITED.perSecond} requests/s (429 with Retry-After: 1 above it).`,
        "`walake run` is `runLocal` (the CLI's core, a folder and the in-process FIFO queue); the sequential loop " +
          'is a scroll with plain fetch appending JSON lines, one request at a time (test/bench/baseline.ts).',
        quick
          ? '**--quick: every timing taken once; do not quote these figures.**'
          : 'Medians of: `--help` 10 runs, cold import 5 fresh processes, one window 5 runs (3 for heavy traffic), ' +
            'the backfill 3 runs of each case, the rate-limited backfill 1 run, CPU path 9 runs after a warm-up.',
        'The last column is the command that measures a figure alone (it prints the table and leaves this file).',
      ],
    },
    figures,
    FINDINGS,
  );
  process.stdout.write('Details: BENCHMARKS.md\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
