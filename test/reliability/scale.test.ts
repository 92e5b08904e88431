import { afterEach, describe, expect, it } from 'vitest';
import { INSTANTS, TestClock } from '../support/clock.js';
import { Pipeline } from '../support/pipeline.js';
import { recordFigures } from './figures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The live side starts here; the backfill covers the 60 days before its horizon. */
const T0 = INSTANTS.afterBusyDay;
const BACKFILL_DAYS = 60;
/** Hourly ticks simulated. */
const TICKS = 30;
/**
 * Backfill messages the worker gets through per tick: its lane's concurrency times what one invocation does
 * in an hour is far more; a low figure makes the backlog outlast the simulation, the case that starves a
 * shared queue.
 */
const BACKFILL_PER_TICK = 60;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
});

describe('reliability: a 60-day backfill while hourly ticks fire', () => {
  it('publishes every live window within 2 ticks of its end and starts no window twice', async () => {
    const clock = new TestClock(T0);
    const p = await Pipeline.start({
      sim: { apiKey: 'scale-key-6060', callsPerHour: 1 },
      env: { TABLES: 'call-legs', HORIZON_DAYS: '1', SETTLE_MINUTES: '0', PAGE_SIZE: '7000' },
      clock,
    });
    pipeline = p;
    // The operator's backfill: 60 days, as two messages within the planner's caps, ending where the live
    // horizon begins.
    const backfillTo = T0 - DAY;
    for (const half of [0, 1]) {
      const from = backfillTo - BACKFILL_DAYS * DAY + half * 30 * DAY;
      await p.sendControl(
        {
          v: 1,
          kind: 'rerun',
          table: 'call-legs',
          from: new Date(from).toISOString(),
          to: new Date(from + 30 * DAY).toISOString(),
        },
        `backfill.call-legs.part${half}`,
      );
    }
    await p.drainControl();
    const [live, backfill] = p.pageMapping().mappings;
    if (!live || !backfill) throw new Error('the harness has two lanes');
    let lagHours = 0;
    for (let tick = 0; tick <= TICKS; tick++) {
      clock.set(T0 + tick * HOUR);
      await p.schedule(clock.now());
      for (let i = 0; i < BACKFILL_PER_TICK; i++) if ((await backfill.pollOnce()) === 0) break;
      await live.drain(120_000);
      // Every live window that ended at least one tick ago is published: within 2 ticks of its end.
      const due = T0 + (tick - 1) * HOUR;
      const entries = (await p.ledger('call-legs')).filter((e) => e.startMs >= T0 - DAY && e.endMs <= due);
      for (const e of entries) {
        expect(e.status, `${e.window} at tick ${tick}`).toBe('published');
        // Windows that ended after T0 are the live ones; the horizon before T0 is the first run's catch-up.
        if (e.status === 'published' && e.endMs > T0)
          lagHours = Math.max(lagHours, (Date.parse(e.finishedAt) - e.endMs) / HOUR);
      }
    }
    const backlog = await p.pageDepth();
    await backfill.drain(600_000);
    const ledger = await p.ledger('call-legs');
    const liveWindows = 24 + TICKS;
    expect(ledger).toHaveLength(BACKFILL_DAYS * 24 + liveWindows);
    expect(ledger.every((e) => e.status === 'published' && e.attempt === 1)).toBe(true);
    expect(p.metric('ChainsRestarted')).toBe(0);
    const requests = Object.values(p.sim.stats.reportRequests).reduce((a, b) => a + b, 0);
    const pages = p.metric('PagesFetched');
    expect(requests).toBe(pages);
    expect(lagHours).toBeLessThanOrEqual(2);
    recordFigures('backfill-and-live', {
      backfillChains: BACKFILL_DAYS * 24,
      liveChains: liveWindows,
      ticks: TICKS,
      backlogAfterTicks: backlog,
      requests,
      duplicatedRequests: requests - pages,
      largestLiveLagHours: Math.round(lagHours * 100) / 100,
    });
  });
});
