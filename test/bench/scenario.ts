import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileObjectStore } from '../../functions/adapters/fs-store.js';
import { rawReport } from '../../functions/adapters/wa-raw.js';
import { createWorkAnalytics } from '../../functions/adapters/work-analytics.js';
import { type RunSummary, runLocal } from '../../functions/cli/local-run.js';
import { probePageFill } from '../../functions/cli/probe-pages.js';
import { type ApiFindings, recordApiFindings } from '../../functions/core/manifest.js';
import type { Table } from '../../functions/core/tables.js';
import { TABLES } from '../../functions/core/tables.js';
import { windowsFor } from '../../functions/core/windows.js';
import { type BaselineResult, naivePull } from './baseline.js';
import { timed } from './measure.js';
import { BENCH_NOW_MS, type SimProcess } from './sim-process.js';

/** A pull to time: one table, a range of whole hourly windows, a page size. */
export interface Scenario {
  table: Table;
  fromMs: number;
  toMs: number;
  pageSize: number;
}

/**
 * The run's clock: it starts at the bench's fixed instant and runs at real speed, so the days pulled never
 * depend on the machine's date while the answer times the adaptive limit measures on it stay real.
 */
function benchClock(): { now: () => number } {
  const started = performance.now();
  return { now: () => BENCH_NOW_MS + Math.floor(performance.now() - started) };
}

/** Runs `fn` with a fresh folder, removed afterwards: every run starts from an empty lake. */
async function withFolder<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'walake-bench-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What `walake probe` finds of the simulator's pages (both reports walked, as the probe does), to record in
 * each benchmark lake: `walake probe --out DIR` before `walake run`.
 */
export async function probeFindings(sim: SimProcess): Promise<ApiFindings> {
  const { client, tokens } = createWorkAnalytics({ baseUrl: sim.baseUrl, credentials: sim.credentials });
  const token = await tokens.token();
  const deps = {
    request: (query: Parameters<typeof rawReport>[0], signal?: AbortSignal) =>
      rawReport(query, { baseUrl: sim.baseUrl, apiKey: sim.credentials.apiKey, token, signal }),
    listPbxes: () => client.listPbxes(),
    now: () => BENCH_NOW_MS,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    redact: (text: string) => text,
  };
  const full: ApiFindings['fullPagesUntilLast'] = {};
  for (const table of TABLES) {
    const found = await probePageFill(deps, table);
    if (found.fullPagesUntilLast !== null) full[table] = found.fullPagesUntilLast;
  }
  return { measuredAt: new Date(BENCH_NOW_MS).toISOString(), fullPagesUntilLast: full };
}

/**
 * `walake run` on the scenario, through `runLocal` as the CLI calls it, into a fresh lake holding `findings`
 * (none: chains ask for "No Data"); throws unless every window published.
 */
export async function timeLocalRun(
  sim: SimProcess,
  scenario: Scenario,
  concurrency: number,
  findings?: ApiFindings,
  fixedConcurrency = false,
): Promise<{ ms: number; summary: RunSummary }> {
  const { ms, value: summary } = await withFolder(async (out) => {
    if (findings) await recordApiFindings(new FileObjectStore(out), findings, 60, BENCH_NOW_MS);
    return timed(() =>
      runLocal({
        tables: [scenario.table],
        fromMs: scenario.fromMs,
        toMs: scenario.toMs,
        pbx: 'allpbxes',
        pageSize: scenario.pageSize,
        gridMinutes: 60,
        concurrency,
        fixedConcurrency,
        isConnectTime: false,
        isSimplified: false,
        settleMinutes: 60,
        out,
        connection: { baseUrl: sim.baseUrl, credentials: sim.credentials },
        clock: benchClock(),
      }),
    );
  });
  if (summary.failed > 0 || summary.published !== summary.windows) {
    throw new Error(`walake run failed in the benchmark: ${JSON.stringify(summary.failures.slice(0, 3))}`);
  }
  return { ms, summary };
}

/** The naive baseline on the scenario (see baseline.ts). */
export async function timeBaseline(
  sim: SimProcess,
  scenario: Scenario,
): Promise<{ ms: number; result: BaselineResult }> {
  const { ms, value: result } = await withFolder((out) =>
    timed(() =>
      naivePull({
        baseUrl: sim.baseUrl,
        credentials: sim.credentials,
        table: scenario.table,
        windows: windowsFor(scenario.fromMs, scenario.toMs, 60),
        pageSize: scenario.pageSize,
        out,
      }),
    ),
  );
  return { ms, result };
}
