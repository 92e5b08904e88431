import { describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../functions/adapters/fs-store.js';
import { UnknownPbxError } from '../../functions/adapters/wa-pbxes.js';
import { createWorkAnalytics } from '../../functions/adapters/work-analytics.js';
import type { LocalRunOptions } from '../../functions/cli/local-run.js';
import { ledgerKey } from '../../functions/core/lake-keys.js';
import { readLedgerEntry } from '../../functions/core/ledger-store.js';
import { LakeManifestError } from '../../functions/core/manifest.js';
import type { PageTask } from '../../functions/core/page-task.js';
import { processTask, startChain } from '../../functions/core/process-task.js';
import { windowId } from '../../functions/core/windows.js';
import type { Simulator } from '../../functions/simulator/index.js';
import { INSTANTS } from '../support/clock.js';
import { expectedRows, lakeRows } from '../support/lake-truth.js';
import { localLakes, runAgainst } from '../support/local-lake.js';

const HOUR = 3_600_000;
const RANGE = INSTANTS.busyHours(3);
const NOW = INSTANTS.afterBusyDay;

const { simulator, lakeDir } = localLakes({ callsPerHour: 8, now: () => NOW });

function run(sim: Simulator, out: string, overrides: Partial<LocalRunOptions> = {}) {
  return runAgainst(sim, out, { ...RANGE, pageSize: 25, clock: { now: () => NOW }, ...overrides });
}

async function expectTruth(sim: Simulator, out: string, range = RANGE) {
  for (const table of ['call-legs', 'call-records'] as const) {
    expect(await lakeRows(out, table)).toEqual(expectedRows(sim, { table, ...range }));
  }
}

describe('window integrity: the ledger never says match while rows are lost or repeated', () => {
  it('keeps rows whose open-unit fields carry epoch milliseconds, and integers beyond 2^53 exactly', async () => {
    const sim = await simulator({ wideValues: { fraction: 0.3 }, bigDriftIntegers: true });
    const out = lakeDir();
    const summary = await run(sim, out);
    expect(summary.failed).toBe(0);
    expect(summary.mismatches).toEqual([]);
    const records = await lakeRows(out, 'call-records');
    expect(records).toHaveLength(sim.truth({ table: 'call-records', ...RANGE }).length);
    const truth = sim.truth({ table: 'call-records', ...RANGE })[0] as Record<string, unknown>;
    const big = String(truth.sequenceId);
    expect(BigInt(big)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(records.some((r) => String(r.extra).includes(`"sequenceId":${big}`))).toBe(true);
  });

  it('replaces only the pulled PBX rows on a scoped run, and refuses an unknown PBX before writing', async () => {
    const sim = await simulator();
    const out = lakeDir();
    await run(sim, out);
    const scoped = await run(sim, out, { pbx: ['acmecorp'] });
    expect(scoped.failed).toBe(0);
    await expectTruth(sim, out);
    const before = await lakeRows(out, 'call-legs');
    await expect(run(sim, out, { pbx: ['acmecorpp'] })).rejects.toBeInstanceOf(UnknownPbxError);
    expect(await lakeRows(out, 'call-legs')).toEqual(before);
  });

  it('publishes nothing from a chain a newer one superseded, and the ledger stays on the newer chain', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const store = new FileObjectStore(out);
    const queued: PageTask[] = [];
    const queue = { send: async (t: PageTask) => void queued.push(t) };
    const clock = { now: () => NOW };
    const window = windowId({ startMs: RANGE.fromMs, endMs: RANGE.fromMs + HOUR });
    const start = {
      table: 'call-legs' as const,
      window,
      pbx: 'allpbxes' as const,
      pageSize: 7000,
      isConnectTime: false,
      isSimplified: false,
    };
    const older = await startChain(start, { store, queue, clock });
    const newer = await startChain(start, { store, queue, clock });
    const { client } = createWorkAnalytics({
      baseUrl: sim.baseUrl,
      credentials: { apiKey: sim.apiKey, username: sim.username, password: sim.password },
    });
    const ports = { source: client, store, queue, clock };
    const options = { settleMinutes: 60, removeStaging: false };
    const requests = sim.stats.pagesServed + sim.stats.noDataServed;
    expect(await processTask(older as PageTask, ports, options)).toMatchObject({ kind: 'superseded' });
    expect(sim.stats.pagesServed + sim.stats.noDataServed).toBe(requests);
    expect(await store.list('lake/')).toEqual([]);
    let task: PageTask | undefined = newer;
    while (task) {
      const outcome = await processTask(task, ports, options);
      task = outcome.kind === 'next' ? queued.at(-1) : undefined;
    }
    const entry = await readLedgerEntry(
      store,
      ledgerKey('call-legs', { startMs: RANGE.fromMs, endMs: RANGE.fromMs + HOUR }),
    );
    expect(entry).toMatchObject({ status: 'published', attempt: 2, chain: newer?.chain });
    expect(older?.chain).not.toBe(newer?.chain);
  });

  it('refuses a run on another grid than the lake was made with, writing nothing', async () => {
    const sim = await simulator();
    const out = lakeDir();
    await run(sim, out, { tables: ['call-legs'] });
    const keys = await new FileObjectStore(out).list('lake/');
    await expect(run(sim, out, { tables: ['call-legs'], gridMinutes: 30 })).rejects.toBeInstanceOf(
      LakeManifestError,
    );
    expect(await new FileObjectStore(out).list('lake/')).toEqual(keys);
  });

  it('quarantines rows outside the window when records filter on start time, says mismatch, and is exact once configured', async () => {
    const sim = await simulator({ recordsFilterField: 'startTimeUTC' });
    const out = lakeDir();
    const wrong = await run(sim, out, { tables: ['call-records'] });
    expect(wrong.quarantined).toBeGreaterThan(0);
    expect(wrong.mismatches.length).toBeGreaterThan(0);
    expect((await new FileObjectStore(out).list('quarantine/')).length).toBeGreaterThan(0);
    const right = await run(sim, out, {
      tables: ['call-records'],
      filterFields: { 'call-records': 'startTimeUTC' },
    });
    expect(right.quarantined).toBe(0);
    expect(right.mismatches).toEqual([]);
  });

  it('loses nothing when the API reads startTime exclusively', async () => {
    const sim = await simulator({ startInclusive: false });
    const out = lakeDir();
    const summary = await run(sim, out);
    expect(summary.mismatches).toEqual([]);
    await expectTruth(sim, out);
  });

  it('cuts a range that reaches into the future at the last window that has ended', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const at = RANGE.fromMs + 90 * 60_000;
    const summary = await run(sim, out, { tables: ['call-legs'], clock: { now: () => at } });
    expect(summary.cutAtMs).toBe(RANGE.fromMs + HOUR);
    expect(summary.windows).toBe(1);
  });

  it('keeps every row without a call id instead of collapsing them into one', async () => {
    const sim = await simulator({ nullCallIdFraction: 0.2 });
    const out = lakeDir();
    const summary = await run(sim, out);
    expect(summary.failed).toBe(0);
    await expectTruth(sim, out);
  });

  it('fails a window whose cursor is always refused after the restart cap, in bounded requests', async () => {
    const sim = await simulator();
    const out = lakeDir();
    sim.faults.plan = (req) => (req.query.scrollId ? { kind: 'reject-scroll' } : undefined);
    const summary = await run(sim, out, {
      tables: ['call-legs'],
      pageSize: 2,
      maxRestarts: 3,
      toMs: RANGE.fromMs + HOUR,
    });
    expect(summary.failed).toBe(1);
    expect(summary.restarts).toBe(3);
    expect(summary.requests).toBeLessThanOrEqual(4 * 2);
    const entry = await readLedgerEntry(
      new FileObjectStore(out),
      ledgerKey('call-legs', { startMs: RANGE.fromMs, endMs: RANGE.fromMs + HOUR }),
    );
    expect(entry).toMatchObject({ status: 'failed', restarts: 3 });
  });

  it.each(['jwt', 'uuid', 'urlencoded'] as const)('carries %s cursors unchanged', async (cursorFormat) => {
    const sim = await simulator({ cursorFormat });
    const out = lakeDir();
    const summary = await run(sim, out, { pageSize: 5 });
    expect(summary.failed).toBe(0);
    await expectTruth(sim, out);
  });
});
