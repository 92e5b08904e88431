import { describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../functions/adapters/fs-store.js';
import type { LocalRunOptions } from '../../functions/cli/local-run.js';
import type { Table } from '../../functions/core/tables.js';
import type { Simulator } from '../../functions/simulator/index.js';
import { TestClock } from '../support/clock.js';
import { expectedRows, identity, lakeRows } from '../support/lake-truth.js';
import { localLakes, runAgainst } from '../support/local-lake.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Three UTC days around the Sunday New York falls back (2026-11-01), the simulator's traffic zone.
const FROM = Date.UTC(2026, 9, 31);
const TO = Date.UTC(2026, 10, 3);

const { simulator, lakeDir } = localLakes({ callsPerHour: 12, now: () => TO + 2 * DAY });

function run(sim: Simulator, out: string, overrides: Partial<LocalRunOptions> = {}) {
  return runAgainst(sim, out, { fromMs: FROM, toMs: TO, pageSize: 97, concurrency: 8, ...overrides });
}

async function expectLakeEqualsTruth(sim: Simulator, out: string, table: Table, fromMs = FROM, toMs = TO) {
  const actual = await lakeRows(out, table);
  const expected = expectedRows(sim, { table, fromMs, toMs });
  expect(actual.length).toBe(expected.length);
  expect(new Set(actual.map(identity)).size).toBe(actual.length);
  expect(actual).toEqual(expected);
}

describe('walake run on the simulator (local lake, in-process FIFO queue)', () => {
  it('publishes exactly the truth across a DST change, with no row lost or repeated at window edges', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const summary = await run(sim, out);
    expect(summary.failed).toBe(0);
    expect(summary.windows).toBe(2 * 72);
    expect(summary.published).toBe(2 * 72);
    expect(summary.mismatches).toEqual([]);
    await expectLakeEqualsTruth(sim, out, 'call-legs');
    await expectLakeEqualsTruth(sim, out, 'call-records');
  });

  it('leaves every row once after the same range and an overlapping unaligned range run again', async () => {
    const sim = await simulator();
    const out = lakeDir();
    await run(sim, out, { fromMs: FROM, toMs: FROM + DAY });
    await run(sim, out, { fromMs: FROM, toMs: FROM + DAY });
    await run(sim, out, { fromMs: FROM + 20 * HOUR + 17 * 60_000, toMs: FROM + DAY + 3 * HOUR + 1 });
    await expectLakeEqualsTruth(sim, out, 'call-legs', FROM, FROM + DAY + 4 * HOUR);
    await expectLakeEqualsTruth(sim, out, 'call-records', FROM, FROM + DAY + 4 * HOUR);
  });

  it('picks up late rows when the window is pulled again', async () => {
    let now = Date.UTC(2026, 10, 1, 6);
    const sim = await simulator({ now: () => now, lateData: { fraction: 0.3, delayMs: 3 * HOUR } });
    const out = lakeDir();
    const range = { fromMs: Date.UTC(2026, 10, 1, 2), toMs: Date.UTC(2026, 10, 1, 5) };
    await run(sim, out, range);
    const early = await lakeRows(out, 'call-records');
    expect(early).toEqual(expectedRows(sim, { table: 'call-records', ...range }));
    now += 6 * HOUR;
    const complete = expectedRows(sim, { table: 'call-records', ...range });
    expect(complete.length).toBeGreaterThan(early.length);
    await run(sim, out, range);
    await expectLakeEqualsTruth(sim, out, 'call-records', range.fromMs, range.toMs);
    await expectLakeEqualsTruth(sim, out, 'call-legs', range.fromMs, range.toMs);
  });

  it('restarts the window as a new attempt when the scrollId is rejected, and the result is exact', async () => {
    const sim = await simulator();
    const out = lakeDir();
    let rejected = 0;
    sim.faults.plan = (req) =>
      req.query.scrollId && rejected++ === 3 ? { kind: 'reject-scroll' } : undefined;
    const range = { fromMs: FROM, toMs: FROM + 6 * HOUR, tables: ['call-legs'] as Table[], pageSize: 20 };
    const summary = await run(sim, out, range);
    expect(summary.restarts).toBe(1);
    expect(summary.failed).toBe(0);
    expect(await new FileObjectStore(out).list('staging/')).toEqual([]);
    await expectLakeEqualsTruth(sim, out, 'call-legs', range.fromMs, range.toMs);
  });

  it('publishes the truth through 429s, 5xx, truncated bodies and a token that lives 3 seconds, again after a rerun', async () => {
    // The run and the simulator share one clock, moved 0.2 s on by every report request (less than the 0.3 s
    // a token is renewed early): a token expires many times during the run, however fast the machine.
    const clock = new TestClock(TO + 2 * DAY);
    const sim = await simulator({ tokenTtlSeconds: 3, now: clock.now });
    Object.assign(sim.faults, {
      errorRate5xx: 0.05,
      rate429: 0.02,
      retryAfterSeconds: 1,
      truncatedRate: 0.02,
      plan: () => void clock.advance(200),
    });
    const out = lakeDir();
    const range = { fromMs: FROM, toMs: FROM + 2 * DAY, pageSize: 50, clock };
    const first = await run(sim, out, range);
    expect(first.failed).toBe(0);
    expect(first.retries).toBeGreaterThan(0);
    expect(first.requests).toBeGreaterThan(3 * 15);
    expect(first.logins).toBeGreaterThan(2);
    await expectLakeEqualsTruth(sim, out, 'call-legs', range.fromMs, range.toMs);
    await expectLakeEqualsTruth(sim, out, 'call-records', range.fromMs, range.toMs);
    const again = await run(sim, out, range);
    expect(again.failed).toBe(0);
    await expectLakeEqualsTruth(sim, out, 'call-legs', range.fromMs, range.toMs);
    await expectLakeEqualsTruth(sim, out, 'call-records', range.fromMs, range.toMs);
  });
});
