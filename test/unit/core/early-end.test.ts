import { describe, expect, it } from 'vitest';
import { type ApiPage, NO_DATA } from '../../../functions/core/api-page.js';
import { chainStep } from '../../../functions/core/chain-step.js';
import { dueWindows } from '../../../functions/core/due-windows.js';
import { endsOnLastDataPage } from '../../../functions/core/early-end.js';
import { ledgerKey } from '../../../functions/core/lake-keys.js';
import { readLedgerEntry } from '../../../functions/core/ledger-store.js';
import {
  endOnLastDataPageAllowed,
  ensureManifest,
  recordApiFindings,
} from '../../../functions/core/manifest.js';
import { tallyOf } from '../../../functions/core/outcome-tally.js';
import type { PageQuery } from '../../../functions/core/page-query.js';
import { firstPageTask, type PageTask } from '../../../functions/core/page-task.js';
import { processTask, startChain, type TaskOutcome } from '../../../functions/core/process-task.js';
import { parseWindowId } from '../../../functions/core/windows.js';
import { MemoryStore } from '../../support/memory-store.js';

const WINDOW = '20261127T0100Z-60m';
const W = parseWindowId(WINDOW);
const legs = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    legId: `leg-${from + i}`,
    callId: `call-${from + i}`,
    disconnectedTimeUTC: W.startMs + 1000 * (from + i + 1),
  }));
const task = (over: Partial<PageTask> = {}): PageTask => ({
  ...firstPageTask({
    table: 'call-legs',
    window: WINDOW,
    pbx: 'allpbxes',
    attempt: 1,
    chain: 'k3x9q0w2m1zp',
    pageSize: 4,
    isConnectTime: false,
    isSimplified: false,
    endOnLastDataPage: true,
  }),
  ...over,
});
const page = (rows: number, total: number, from = 0): ApiPage => ({
  totalRecordCount: total,
  scrollId: `c${from + rows}`,
  data: legs(rows, from),
});
const at = { ingestedAtMs: W.endMs };
const START = {
  table: 'call-legs' as const,
  window: WINDOW,
  pbx: 'allpbxes' as const,
  pageSize: 4,
  isConnectTime: false,
  isSimplified: false,
};

describe('endsOnLastDataPage', () => {
  it.each<[string, Partial<PageTask>, ApiPage, boolean]>([
    ['a short first page holding the whole total', {}, page(3, 3), true],
    ['a full first page, even holding the whole total', {}, page(4, 4), false],
    ['a short first page short of the total', {}, page(3, 5), false],
    [
      'a short later page that brings the rows served to the first total',
      { page: 2, scrollId: 'c4', firstPageTotal: 6, rowsSoFar: 3, droppedSoFar: 1 },
      page(2, 6, 4),
      true,
    ],
    [
      'a short later page that leaves the total unreached',
      { page: 2, scrollId: 'c4', firstPageTotal: 9, rowsSoFar: 4 },
      page(2, 9, 4),
      false,
    ],
    [
      'quarantined rows count as served',
      { page: 2, scrollId: 'c4', firstPageTotal: 6, rowsSoFar: 2, quarantinedSoFar: 2 },
      page(2, 6, 4),
      true,
    ],
    [
      "a short later page whose own total moved past the first page's (rows came in mid-chain)",
      { page: 2, scrollId: 'c4', firstPageTotal: 6, rowsSoFar: 4 },
      page(2, 7, 4),
      false,
    ],
    ['a chain not allowed to end early', { endOnLastDataPage: undefined }, page(3, 3), false],
    ['an empty page (the API ends the chain itself)', {}, { ...page(0, 0), scrollId: NO_DATA }, false],
  ])('%s: %s', (_name, over, p, expected) => {
    expect(endsOnLastDataPage(task(over), p)).toBe(expected);
  });

  it('ends the chain step on the last data page, marked as ended early', () => {
    const step = chainStep(task(), page(3, 3), at);
    expect(step.next).toBeUndefined();
    expect(step.done).toMatchObject({ pages: 1, rows: 3, firstPageTotal: 3, endedEarly: true });
  });

  it('asks for the next page when the chain may not end early', () => {
    const step = chainStep(task({ endOnLastDataPage: undefined }), page(3, 3), at);
    expect(step.done).toBeUndefined();
    expect(step.next).toMatchObject({ page: 2, scrollId: 'c3', rowsSoFar: 3 });
  });
});

describe('the lake manifest records what walake probe measured', () => {
  it('allows the early end per report, only when measured and enabled', async () => {
    const store = new MemoryStore();
    const allowed = async (table: 'call-legs' | 'call-records', enabled: boolean) =>
      (await endOnLastDataPageAllowed(store, [table], enabled))[table];
    await ensureManifest(store, 60, W.endMs);
    expect(await allowed('call-legs', true)).toBe(false);
    const findings = {
      measuredAt: new Date(W.endMs).toISOString(),
      fullPagesUntilLast: { 'call-legs': true },
    };
    const manifest = await recordApiFindings(store, findings, 60, W.endMs);
    expect(manifest).toMatchObject({ gridMinutes: 60, api: findings });
    expect(await allowed('call-legs', true)).toBe(true);
    expect(await allowed('call-legs', false)).toBe(false);
    expect(await allowed('call-records', true)).toBe(false);
    // A later probe that found short pages replaces the finding.
    await recordApiFindings(store, { ...findings, fullPagesUntilLast: { 'call-legs': false } }, 60, W.endMs);
    expect(await allowed('call-legs', true)).toBe(false);
  });

  it('creates the manifest of a new lake on the grid given, and keeps the grid of an existing one', async () => {
    const store = new MemoryStore();
    const findings = { measuredAt: new Date(W.endMs).toISOString(), fullPagesUntilLast: {} };
    expect(await recordApiFindings(store, findings, 30, W.endMs)).toMatchObject({ gridMinutes: 30 });
    expect(await recordApiFindings(store, findings, 60, W.endMs)).toMatchObject({ gridMinutes: 30 });
  });
});

describe('a window ended early whose total later disagrees', () => {
  it('is pulled again by the settle re-pull, republished with the new rows, and counted', async () => {
    const store = new MemoryStore();
    let rows = 5;
    let requests = 0;
    const source = {
      fetchPage: async (query: PageQuery): Promise<ApiPage> => {
        requests++;
        const from = query.scrollId ? Number(query.scrollId.slice(1)) : 0;
        const data = legs(Math.max(0, Math.min(4, rows - from)), from);
        const scrollId = data.length ? `c${from + data.length}` : NO_DATA;
        return { totalRecordCount: rows, scrollId, data };
      },
    };
    let nowMs = W.endMs + 5 * 60_000; // before the window settles
    const sent: PageTask[] = [];
    const queue = { send: async (t: PageTask) => void sent.push(t) };
    const ports = { source, store, queue, clock: { now: () => nowMs } };
    const options = { settleMinutes: 120, removeStaging: false };
    const start = { ...START, endOnLastDataPage: true };
    const drain = async () => {
      const outcomes: TaskOutcome[] = [];
      for (let t = sent.shift(); t; t = sent.shift()) outcomes.push(await processTask(t, ports, options));
      return outcomes;
    };
    await startChain(start, ports);
    await drain();
    const key = ledgerKey('call-legs', W);
    const early = await readLedgerEntry(store, key);
    expect(early).toMatchObject({ status: 'published', endedEarly: true, rows: 5, settled: false });
    expect(early?.status === 'published' && early.reconciliation.verdict).toBe('match');
    expect(requests).toBe(2); // 4 + 1 rows: two data pages, no "No Data"
    // Two late calls; once the window may settle, the planner finds it due and pulls it again.
    rows = 7;
    nowMs = W.endMs + 121 * 60_000;
    const due = dueWindows({
      table: 'call-legs',
      nowMs,
      horizonDays: 1,
      gridMinutes: 60,
      settleMinutes: 120,
      staleAfterMs: 7_200_000,
      ledger: early ? [early] : [],
    }).filter((d) => d.id === WINDOW);
    expect(due).toEqual([expect.objectContaining({ reason: 'unsettled', attempt: 2 })]);
    await startChain(start, ports, { expectAttempt: 2 });
    const outcomes = await drain();
    const entry = await readLedgerEntry(store, key);
    expect(entry).toMatchObject({
      status: 'published',
      rows: 7,
      settled: true,
      earlyEndRevised: { was: 5, now: 7 },
    });
    expect(outcomes.reduce((n, o) => n + tallyOf(o).earlyEndsRevised, 0)).toBe(1);
  });

  it('is not counted when the settle re-pull finds the same total', async () => {
    const store = new MemoryStore();
    const source = { fetchPage: async (): Promise<ApiPage> => page(3, 3) };
    let nowMs = W.endMs;
    const sent: PageTask[] = [];
    const ports = {
      source,
      store,
      queue: { send: async (t: PageTask) => void sent.push(t) },
      clock: { now: () => nowMs },
    };
    const options = { settleMinutes: 120, removeStaging: false };
    const outcomes: TaskOutcome[] = [];
    for (const attempt of [1, 2]) {
      await startChain({ ...START, endOnLastDataPage: true }, ports, { expectAttempt: attempt });
      for (let t = sent.shift(); t; t = sent.shift()) outcomes.push(await processTask(t, ports, options));
      nowMs += 121 * 60_000;
    }
    const entry = await readLedgerEntry(store, ledgerKey('call-legs', W));
    expect(entry).toMatchObject({ status: 'published', attempt: 2, endedEarly: true, settled: true });
    expect(entry && 'earlyEndRevised' in entry).toBe(false);
    expect(outcomes.reduce((n, o) => n + tallyOf(o).earlyEndsRevised, 0)).toBe(0);
  });
});
