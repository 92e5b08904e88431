import { describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../functions/adapters/fs-store.js';
import { rawReport } from '../../functions/adapters/wa-raw.js';
import { createWorkAnalytics } from '../../functions/adapters/work-analytics.js';
import type { ProbeDeps } from '../../functions/cli/probe-checks.js';
import { probePageFill } from '../../functions/cli/probe-pages.js';
import { ledgerKey } from '../../functions/core/lake-keys.js';
import { readLedgerEntry } from '../../functions/core/ledger-store.js';
import { recordApiFindings } from '../../functions/core/manifest.js';
import { TABLES } from '../../functions/core/tables.js';
import { windowsFor } from '../../functions/core/windows.js';
import type { Simulator } from '../../functions/simulator/index.js';
import { INSTANTS } from '../support/clock.js';
import { expectedRows, lakeRows } from '../support/lake-truth.js';
import { localLakes, runAgainst } from '../support/local-lake.js';

/**
 * Ending a chain on its last data page, against both behaviours the simulator models: full pages until the
 * last (a keyset scroll of pageSize), and ragged pages (short before the last). The probe tells them apart,
 * the manifest keeps what it found, and walake run ends early only where it found full pages.
 */
const NOW = INSTANTS.afterBusyDay;
const RANGE = INSTANTS.busyHours(3);
const { simulator, lakeDir } = localLakes({ callsPerHour: 6, now: () => NOW });

async function probeDeps(sim: Simulator): Promise<ProbeDeps> {
  const credentials = { apiKey: sim.apiKey, username: sim.username, password: sim.password };
  const { client, tokens } = createWorkAnalytics({ baseUrl: sim.baseUrl, credentials });
  const token = await tokens.token();
  return {
    request: (query, signal) => rawReport(query, { baseUrl: sim.baseUrl, apiKey: sim.apiKey, token, signal }),
    listPbxes: () => client.listPbxes(),
    now: () => NOW,
    sleep: async () => {},
    redact: (text) => text,
  };
}

/** Probes both reports and records what it found in the lake's manifest, as `walake probe --out` does. */
async function probeInto(sim: Simulator, out: string) {
  const deps = await probeDeps(sim);
  const found = await Promise.all(TABLES.map((table) => probePageFill(deps, table)));
  const full = Object.fromEntries(found.map((f) => [f.table, f.fullPagesUntilLast ?? undefined]));
  const findings = { measuredAt: new Date(NOW).toISOString(), fullPagesUntilLast: full };
  await recordApiFindings(new FileObjectStore(out), findings, 60, NOW);
  return found;
}

function requestsOf(sim: Simulator): number {
  return Object.values(sim.stats.reportRequests).reduce((a, b) => a + b, 0);
}

async function expectExact(sim: Simulator, out: string) {
  for (const table of TABLES)
    expect(await lakeRows(out, table)).toEqual(expectedRows(sim, { table, ...RANGE }));
}

const windows = windowsFor(RANGE.fromMs, RANGE.toMs, 60).length * TABLES.length;

describe('a chain ends on its last data page only where the API answers full pages until the last', () => {
  it('full pages: the probe finds them, and every chain ends without the "No Data" request, exactly', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const found = await probeInto(sim, out);
    expect(found.map((f) => f.fullPagesUntilLast)).toEqual([true, true]);
    const before = requestsOf(sim);
    const pagesBefore = sim.stats.pagesServed;
    const summary = await runAgainst(sim, out, { ...RANGE, pageSize: 40 });
    expect(summary).toMatchObject({ failed: 0, published: windows, endedEarly: windows, mismatches: [] });
    expect(summary.pages).toBeGreaterThan(windows); // some chains end on a later page than the first
    expect(requestsOf(sim) - before).toBe(sim.stats.pagesServed - pagesBefore); // every request carried data
    await expectExact(sim, out);
    const entry = await readLedgerEntry(
      new FileObjectStore(out),
      ledgerKey('call-legs', { startMs: RANGE.fromMs, endMs: RANGE.fromMs + 3_600_000 }),
    );
    expect(entry).toMatchObject({
      status: 'published',
      endedEarly: true,
      reconciliation: { verdict: 'match' },
    });
  });

  it('full pages, early end turned off by the configuration: every chain asks for "No Data"', async () => {
    const sim = await simulator();
    const out = lakeDir();
    await probeInto(sim, out);
    const before = requestsOf(sim);
    const pagesBefore = sim.stats.pagesServed;
    const summary = await runAgainst(sim, out, { ...RANGE, pageSize: 40, endOnLastDataPage: false });
    expect(summary).toMatchObject({ failed: 0, published: windows, endedEarly: 0, mismatches: [] });
    expect(requestsOf(sim) - before).toBe(sim.stats.pagesServed - pagesBefore + windows);
    await expectExact(sim, out);
  });

  it('ragged pages: the probe finds a short page before the last, and chains ask for "No Data", exactly', async () => {
    const sim = await simulator({ raggedPages: true });
    const out = lakeDir();
    const found = await probeInto(sim, out);
    expect(found.map((f) => f.fullPagesUntilLast)).toEqual([false, false]);
    expect(found[0]?.note).toMatch(/more pages followed/);
    const before = requestsOf(sim);
    const pagesBefore = sim.stats.pagesServed;
    const summary = await runAgainst(sim, out, { ...RANGE, pageSize: 40 });
    expect(summary).toMatchObject({ failed: 0, published: windows, endedEarly: 0, mismatches: [] });
    expect(requestsOf(sim) - before).toBe(sim.stats.pagesServed - pagesBefore + windows);
    await expectExact(sim, out);
  });

  it('no probe finding: chains ask for "No Data"', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const summary = await runAgainst(sim, out, { ...RANGE, pageSize: 40 });
    expect(summary).toMatchObject({ failed: 0, published: windows, endedEarly: 0 });
    expect(sim.stats.noDataServed).toBe(windows);
  });
});
