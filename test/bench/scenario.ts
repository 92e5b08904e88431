import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunSummary, runLocal } from '../../functions/cli/local-run.js';
import type { Table } from '../../functions/core/tables.js';
import { windowsFor } from '../../functions/core/windows.js';
import { type BaselineResult, naivePull } from './baseline.js';
import { timed } from './measure.js';
import type { SimProcess } from './sim-process.js';

/** A pull to time: one table, a range of whole hourly windows, a page size. */
export interface Scenario {
  table: Table;
  fromMs: number;
  toMs: number;
  pageSize: number;
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

/** `walake run` on the scenario, through `runLocal` as the CLI calls it; throws unless every window published. */
export async function timeLocalRun(
  sim: SimProcess,
  scenario: Scenario,
  concurrency: number,
): Promise<{ ms: number; summary: RunSummary }> {
  const { ms, value: summary } = await withFolder((out) =>
    timed(() =>
      runLocal({
        tables: [scenario.table],
        fromMs: scenario.fromMs,
        toMs: scenario.toMs,
        pbx: 'allpbxes',
        pageSize: scenario.pageSize,
        gridMinutes: 60,
        concurrency,
        isConnectTime: false,
        isSimplified: false,
        settleMinutes: 60,
        out,
        connection: { baseUrl: sim.baseUrl, credentials: sim.credentials },
      }),
    ),
  );
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
