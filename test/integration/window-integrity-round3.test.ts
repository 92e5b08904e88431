import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../functions/adapters/fs-store.js';
import type { LocalRunOptions } from '../../functions/cli/local-run.js';
import { runExitCode } from '../../functions/cli/run.js';
import { UsageError } from '../../functions/cli/usage.js';
import { ledgerKey } from '../../functions/core/lake-keys.js';
import { runningEntry } from '../../functions/core/ledger.js';
import { readLedgerEntry } from '../../functions/core/ledger-store.js';
import { LakeManifestError } from '../../functions/core/manifest.js';
import type { PageTask } from '../../functions/core/page-task.js';
import { startChain } from '../../functions/core/process-task.js';
import { windowId, windowsFor } from '../../functions/core/windows.js';
import type { Simulator } from '../../functions/simulator/index.js';
import { INSTANTS } from '../support/clock.js';
import { expectedRows, lakeRows } from '../support/lake-truth.js';
import { localLakes, runAgainst } from '../support/local-lake.js';

const RANGE = INSTANTS.busyHours(3);
const NOW = INSTANTS.afterBusyDay;

const { simulator, lakeDir } = localLakes({ callsPerHour: 8, now: () => NOW });

function run(sim: Simulator, out: string, overrides: Partial<LocalRunOptions> = {}) {
  return runAgainst(sim, out, { ...RANGE, pageSize: 25, clock: { now: () => NOW }, ...overrides });
}

describe('window integrity, round 3: exact, or loud', () => {
  it('exits non-zero when another run takes its windows over, and names them', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const other = new FileObjectStore(out);
    const queue = { send: async (_task: PageTask) => undefined };
    let taken = false;
    const summary = await run(sim, out, {
      tables: ['call-legs'],
      concurrency: 1,
      onProgress: async (progress) => {
        // The first progress comes before the run starts its chains; this waits for its first page.
        if (taken || progress.pages === 0) return;
        taken = true;
        // A second run starts a chain for every window while this one is at its first page.
        await Promise.all(
          windowsFor(RANGE.fromMs, RANGE.toMs, 60).map((w) =>
            startChain(
              {
                table: 'call-legs',
                window: windowId(w),
                pbx: 'allpbxes',
                pageSize: 25,
                isConnectTime: false,
                isSimplified: false,
              },
              { store: other, queue, clock: { now: () => NOW } },
            ),
          ),
        );
      },
    });
    expect(summary.published).toBeLessThan(summary.windows);
    expect(summary.superseded.length).toBeGreaterThan(0);
    expect(summary.superseded[0]).toMatchObject({ table: 'call-legs' });
    expect(runExitCode(summary)).toBe(1);
  });
});

describe('a local run older than the API serves', () => {
  it('is refused before anything is written, naming the earliest start', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const fromMs = NOW - 730 * 86_400_000 + 3_600_000;
    const refused = run(sim, out, { fromMs, toMs: fromMs + 3_600_000 });
    await expect(refused).rejects.toBeInstanceOf(UsageError);
    await expect(refused).rejects.toThrow(
      /older than the API serves.*Start at 2024-06-12T00:00:00.000Z or later/s,
    );
    expect(await new FileObjectStore(out).list('')).toEqual([]);
    expect(sim.stats.pagesServed + sim.stats.noDataServed).toBe(0);
  });
});

describe('text cut inside a surrogate pair', () => {
  it('lands rows DuckDB can read, with U+FFFD in the column, counted as type mismatches', async () => {
    const sim = await simulator({ loneSurrogateFraction: 0.3 });
    const out = lakeDir();
    const summary = await run(sim, out, { tables: ['call-legs'] });
    expect(summary.failed).toBe(0);
    expect(summary.typeMismatches).toBeGreaterThan(0);
    const legs = await lakeRows(out, 'call-legs');
    expect(legs).toEqual(expectedRows(sim, { table: 'call-legs', ...RANGE }));
    expect(legs.some((l) => String(l.caller_name).endsWith(' \ufffd'))).toBe(true);
  });
});

describe('a run killed in the middle of a publish', () => {
  it('leaves a lease that the next run breaks at once, since its holder is dead', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const window = { startMs: RANGE.fromMs, endMs: RANGE.fromMs + 3_600_000 };
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    child.kill('SIGKILL');
    await once(child, 'exit');
    const since = new Date(NOW).toISOString();
    const dead = { chain: 'killed123456', since, holder: `${hostname().slice(0, 180)}:${child.pid}` };
    const entry = runningEntry(
      { table: 'call-legs', window, pbx: 'allpbxes', attempt: 1, chain: 'killed123456', publishing: dead },
      NOW,
    );
    await new FileObjectStore(out).put(ledgerKey('call-legs', window), JSON.stringify(entry));
    const summary = await run(sim, out, { tables: ['call-legs'], toMs: window.endMs });
    expect(summary.failures).toEqual([]);
    expect(summary.published).toBe(1);
  });
});

describe('a scroll API that moves under the chain', () => {
  it('says mismatch when rows are ingested behind the cursor while the chain runs, and a rerun is exact', async () => {
    const sim = await simulator({ ingestDelay: { fraction: 0.1, afterRequests: 2 } });
    const out = lakeDir();
    const one = { toMs: RANGE.fromMs + 3_600_000, pageSize: 5, concurrency: 1 };
    const summary = await run(sim, out, { ...one, tables: ['call-legs'] });
    expect(summary.mismatches).toHaveLength(1);
    expect(summary.mismatches[0]).toMatch(/total changed while the chain ran, from \d+ to \d+/);
    expect(runExitCode(summary)).toBe(1);
    const again = await run(sim, out, { ...one, tables: ['call-legs'] });
    expect(again.mismatches).toEqual([]);
    expect(await lakeRows(out, 'call-legs')).toEqual(
      expectedRows(sim, { table: 'call-legs', fromMs: RANGE.fromMs, toMs: one.toMs }),
    );
  });

  it('publishes busy windows exactly when the server serves fewer rows a page than asked', async () => {
    const sim = await simulator({ servedPageSize: 4 });
    const out = lakeDir();
    const summary = await run(sim, out, { tables: ['call-legs'], pageSize: 25 });
    expect(summary.failures).toEqual([]);
    expect(summary.mismatches).toEqual([]);
    expect(summary.pages).toBeGreaterThan(4 * summary.windows);
    expect(await lakeRows(out, 'call-legs')).toEqual(expectedRows(sim, { table: 'call-legs', ...RANGE }));
  });
});

describe('a lake made with one placement of rows in windows', () => {
  it('refuses a run that would place them another way, writing nothing, and takes the same placement', async () => {
    const sim = await simulator();
    const out = lakeDir();
    await run(sim, out, { tables: ['call-legs'] });
    const store = new FileObjectStore(out);
    const keys = await store.list('');
    const before = await lakeRows(out, 'call-legs');
    for (const [other, placed] of [
      [{ isConnectTime: true }, 'connect time \\(isConnectTime\\), child legs included'],
      [{ isSimplified: true }, 'disconnect time, without child legs \\(isSimplified\\)'],
    ] as const) {
      const refused = run(sim, out, { tables: ['call-legs'], ...other });
      await expect(refused).rejects.toBeInstanceOf(LakeManifestError);
      await expect(refused).rejects.toThrow(
        new RegExp(`places call-legs rows in windows by disconnect time, child legs included, not ${placed}`),
      );
    }
    expect(await store.list('')).toEqual(keys);
    expect(await lakeRows(out, 'call-legs')).toEqual(before);
    const same = await run(sim, out, { tables: ['call-legs', 'call-records'] });
    expect(same.failures).toEqual([]);
  });
});

describe('rows served twice at the edges of a window', () => {
  it('are counted once, so the window reconciles, and the lake holds each row once', async () => {
    const sim = await simulator({ duplicateEdgeRows: true, callsPerHour: 120 });
    const out = lakeDir();
    // Five-minute windows: thirteen edges in the hour, so that some rows fall in edge seconds.
    const range = { fromMs: RANGE.fromMs, toMs: RANGE.fromMs + 3_600_000 };
    const edges = Array.from({ length: 13 }, (_, i) => range.fromMs + i * 300_000).flatMap((at) =>
      sim.truth({ table: 'call-legs', fromMs: at - 1000, toMs: at + 1000 }),
    );
    expect(edges.length).toBeGreaterThan(0);
    const summary = await run(sim, out, { ...range, tables: ['call-legs'], pageSize: 7000, gridMinutes: 5 });
    expect(summary.mismatches).toEqual([]);
    expect(await lakeRows(out, 'call-legs')).toEqual(expectedRows(sim, { table: 'call-legs', ...range }));
  });
});

describe('a re-pull that ends worse than the published window', () => {
  it('keeps the published window, records the re-pull, and exits non-zero; a good re-pull replaces it', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const tables = ['call-records'] as const;
    const first = await run(sim, out, { tables: [...tables] });
    expect(first.mismatches).toEqual([]);
    const before = await lakeRows(out, 'call-records');
    // A wrong belief about the filter field: rows that started before their window are quarantined.
    const worse = await run(sim, out, {
      tables: [...tables],
      filterFields: { 'call-records': 'startTimeUTC' },
    });
    expect(worse.quarantined).toBeGreaterThan(0);
    expect(worse.mismatches.some((m) => /worse than the published window, which was kept/.test(m))).toBe(
      true,
    );
    expect(runExitCode(worse)).toBe(1);
    expect(await lakeRows(out, 'call-records')).toEqual(before);
    const store = new FileObjectStore(out);
    const window = { startMs: RANGE.fromMs, endMs: RANGE.fromMs + 3_600_000 };
    const entry = await readLedgerEntry(store, ledgerKey('call-records', window));
    expect(entry).toMatchObject({
      status: 'published',
      reconciliation: { verdict: 'match' },
      rejected: { reconciliation: { verdict: 'mismatch' } },
    });
    const again = await run(sim, out, { tables: [...tables] });
    expect(again.mismatches).toEqual([]);
    expect(await readLedgerEntry(store, ledgerKey('call-records', window))).not.toHaveProperty('rejected');
    expect(await lakeRows(out, 'call-records')).toEqual(before);
  });
});
