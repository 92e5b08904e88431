import { describe, expect, it } from 'vitest';
import { TABLES } from '../../functions/core/tables.js';
import type { Simulator } from '../../functions/simulator/index.js';
import { INSTANTS } from '../support/clock.js';
import { expectedRows, lakeRows } from '../support/lake-truth.js';
import { localLakes, runAgainst } from '../support/local-lake.js';

/**
 * walake run's chains in flight follow the API: they rise to the cap while answers are fast and error-free,
 * halve on 429s, and a burst of 429s, however long, fails no window. Time is a clock the simulator's fault
 * plan moves by a fixed step per request: counted events, not the machine's speed.
 */
const NOW = INSTANTS.afterBusyDay;
const DAY = { fromMs: INSTANTS.busyDay, toMs: INSTANTS.busyDay + 24 * 3_600_000 };
const { simulator, lakeDir } = localLakes({ callsPerHour: 6, now: () => NOW });

const HOUR = { fromMs: DAY.fromMs + 15 * 3_600_000, toMs: DAY.fromMs + 16 * 3_600_000 };

async function expectExact(sim: Simulator, out: string, range: { fromMs: number; toMs: number }) {
  for (const table of TABLES)
    expect(await lakeRows(out, table)).toEqual(expectedRows(sim, { table, ...range }));
}

describe('adaptive concurrency of walake run', () => {
  it('rises from half the cap to the cap while the API answers fast and without errors', async () => {
    const sim = await simulator();
    const out = lakeDir();
    const summary = await runAgainst(sim, out, {
      ...DAY,
      pageSize: 40,
      concurrency: 8,
      clock: { now: () => NOW },
    });
    expect(summary).toMatchObject({ failed: 0, published: 48 });
    expect(summary.concurrency).toMatchObject({ cap: 8, peak: 8, halvings: 0 });
    expect(summary.concurrency.raises).toBe(4);
  });

  it('halves on a burst of 429s, and the burst fails no window that patience pulls', async () => {
    const sim = await simulator();
    const out = lakeDir();
    let now = NOW;
    // Two chains (one busy hour, both tables) and 200 requests answered 429 (Retry-After: 0): far more than
    // both tasks' attempts (6 a request) times their receives (5) would absorb without patience.
    sim.faults.plan = (req) => {
      now += 100;
      return req.n > 1 && req.n <= 201 ? { kind: '429', retryAfter: '0' } : undefined;
    };
    const summary = await runAgainst(sim, out, {
      ...HOUR,
      pageSize: 40,
      concurrency: 4,
      clock: { now: () => now },
    });
    expect(summary.failures).toEqual([]);
    expect(summary).toMatchObject({ failed: 0, published: 2, mismatches: [] });
    expect(sim.stats.responses[429]).toBe(200);
    expect(summary.concurrency.halvings).toBe(1); // from 2 (half the cap) to 1, where it stays through the burst
    await expectExact(sim, out, HOUR);
  });

  it('keeps the concurrency fixed with fixedConcurrency', async () => {
    const sim = await simulator();
    const out = lakeDir();
    sim.faults.plan = (req) => (req.n % 5 === 0 ? { kind: '429', retryAfter: '0' } : undefined);
    const summary = await runAgainst(sim, out, {
      ...DAY,
      pageSize: 40,
      concurrency: 6,
      fixedConcurrency: true,
      clock: { now: () => NOW },
    });
    expect(summary).toMatchObject({ failed: 0, published: 48 });
    expect(summary.concurrency).toMatchObject({ cap: 6, limit: 6, peak: 6, raises: 0, halvings: 0 });
  });
});
