import { afterEach, describe, expect, it } from 'vitest';
import { TABLES } from '../../functions/core/tables.js';
import { windowsFor } from '../../functions/core/windows.js';
import { INSTANTS, TestClock } from '../support/clock.js';
import { expectedRows } from '../support/lake-truth.js';
import { Pipeline } from '../support/pipeline.js';
import { recordFigures } from './figures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Busy hours of a past weekday: windows whose truth does not move while a test runs. */
const pastRange = INSTANTS.busyHours;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
});

describe('reliability: chains that go wrong half-way', () => {
  it('restarts the window as a new attempt when the API rejects a scrollId; the dead attempt is never published', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'cursor-key-7001' }, env: { PAGE_SIZE: '3' } });
    pipeline = p;
    const range = pastRange();
    let scrolls = 0;
    p.sim.faults.plan = (req) =>
      req.query.scrollId && ++scrolls === 4 ? { kind: 'reject-scroll' } : undefined;
    await p.rerun('call-legs', range.fromMs, range.toMs);
    await p.drainPages();
    expect(await p.dlqMessages()).toEqual([]);
    expect(p.metric('ChainsRestarted')).toBe(1);
    const entries = await p.ledger('call-legs');
    const restarted = entries.filter((e) => e.attempt === 2);
    expect(restarted).toHaveLength(1);
    expect(restarted[0]?.status).toBe('published');
    const attempts = await p.lakeQuery(
      `SELECT DISTINCT _attempt FROM call_legs WHERE _window_start = '${new Date(restarted[0]?.startMs ?? 0).toISOString()}'`,
    );
    expect(attempts).toEqual([{ _attempt: 2 }]);
    expect(await p.lakeRows('call-legs')).toEqual(expectedRows(p.sim, { table: 'call-legs', ...range }));
    const requests = Object.values(p.sim.stats.reportRequests).reduce((a, b) => a + b, 0);
    recordFigures('rejected-cursor', { windows: entries.length, restarts: 1, requests });
  });

  it('publishes each window from one whole attempt when a rerun overlaps the running chain', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'overlap-key-1999' }, env: { PAGE_SIZE: '3' } });
    pipeline = p;
    const range = pastRange();
    await p.rerun('all', range.fromMs, range.toMs);
    const esm = p.pageMapping();
    for (let i = 0; i < 6; i++) await esm.pollOnce();
    await p.rerun('all', range.fromMs, range.toMs);
    await p.drainPages();
    expect(await p.dlqMessages()).toEqual([]);
    for (const table of TABLES) {
      expect(await p.lakeRows(table)).toEqual(expectedRows(p.sim, { table, ...range }));
      const folder = table.replace('-', '_');
      const mixed = await p.lakeQuery(
        `SELECT _window_start FROM ${folder} GROUP BY _window_start HAVING count(DISTINCT _attempt) > 1`,
      );
      expect(mixed).toEqual([]);
      const published = (await p.ledger(table)).filter((e) => e.status === 'published');
      expect(published.map((e) => e.attempt)).toEqual(published.map(() => 2));
    }
  });

  it('keeps the previous version of a window readable and whole when publishing crashes half-way', async () => {
    // Enough calls that the hour's records fill more than one page of 3: the crash hits page 2.
    const p = await Pipeline.start({
      sim: { apiKey: 'publish-key-3270', callsPerHour: 10 },
      env: { PAGE_SIZE: '3' },
    });
    pipeline = p;
    const range = pastRange(1);
    expect(expectedRows(p.sim, { table: 'call-records', ...range }).length).toBeGreaterThan(3);
    await p.rerun('call-records', range.fromMs, range.toMs);
    await p.drainPages();
    const before = await p.lakeQuery('SELECT count(*) AS n, min(_attempt) AS a FROM call_records');
    expect(before).toEqual([{ n: expectedRows(p.sim, { table: 'call-records', ...range }).length, a: 1 }]);
    // The second attempt's publish fails while it streams its staged pages into the new object.
    let crashed = 0;
    const undo = p.inject(
      's3',
      (command, input) =>
        command === 'GetObjectCommand' &&
        /^staging\/.*\/page-00002\.json\.gz$/.test(String(input.Key)) &&
        ++crashed > 0,
      () => new Error('worker crashed while publishing'),
    );
    await p.rerun('call-records', range.fromMs, range.toMs);
    const esm = p.pageMapping();
    for (let i = 0; i < 200 && crashed === 0; i++) await esm.pollOnce();
    expect(crashed).toBeGreaterThan(0);
    const during = await p.lakeQuery(
      'SELECT count(*) AS n, min(_attempt) AS a, max(_attempt) AS b FROM call_records',
    );
    expect(during).toEqual([{ ...before[0], b: 1 }]);
    undo();
    await p.drainPages();
    const after = await p.lakeQuery(
      'SELECT count(*) AS n, min(_attempt) AS a, max(_attempt) AS b FROM call_records',
    );
    expect(after).toEqual([{ n: before[0]?.n, a: 2, b: 2 }]);
  });

  it('has the late rows in the table once the window settles', async () => {
    // Half past four in the afternoon in New York: the last windows were busy, and late by two hours, some of
    // their calls are not visible yet.
    const first = Date.UTC(2026, 5, 10, 20, 30);
    const clock = new TestClock(first);
    const p = await Pipeline.start({
      sim: {
        apiKey: 'late-key-1812',
        callsPerHour: 20,
        lateData: { fraction: 0.3, delayMs: 2 * HOUR },
      },
      env: { PAGE_SIZE: '50', SETTLE_MINUTES: '120' },
      clock,
    });
    pipeline = p;
    const windows = windowsFor(first - DAY, first, 60).filter((w) => w.endMs <= first);
    const range = { fromMs: windows[0]?.startMs ?? 0, toMs: windows.at(-1)?.endMs ?? 0 };
    await p.schedule(first);
    await p.drainPages();
    const early = await p.lakeRows('call-legs');
    const unsettled = (await p.ledger('call-legs')).filter((e) => e.status === 'published' && !e.settled);
    expect(unsettled.length).toBeGreaterThan(0);
    clock.set(first + 3 * HOUR);
    const complete = expectedRows(p.sim, { table: 'call-legs', ...range });
    expect(complete.length).toBeGreaterThan(early.length);
    await p.schedule(clock.now());
    await p.drainPages();
    for (const table of TABLES) {
      expect(await p.lakeRows(table, `_window_start < '${new Date(range.toMs).toISOString()}'`)).toEqual(
        expectedRows(p.sim, { table, ...range }),
      );
    }
    const settled = (await p.ledger('call-legs')).filter((e) => e.startMs < range.toMs);
    expect(settled.every((e) => e.status === 'published' && e.settled)).toBe(true);
    recordFigures('late-data', {
      lateRows: complete.length - early.length,
      rePulledWindows: unsettled.length,
    });
  });
});
