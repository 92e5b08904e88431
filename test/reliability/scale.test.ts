import { afterEach, describe, expect, it } from 'vitest';
import { windowsFor } from '../../functions/core/windows.js';
import { INSTANTS, TestClock } from '../support/clock.js';
import { Pipeline } from '../support/pipeline.js';
import { recordFigures } from './figures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The live side starts here; the backfill covers the days before its horizon. */
const T0 = INSTANTS.afterBusyDay;
/**
 * The suite runs a 6-day backfill (a few minutes on moto); `npm run test:scale` runs the 60-day one whose
 * figures docs/reliability.md shows (about 2,200 tasks: too slow for every CI run on an emulator).
 */
const BACKFILL_DAYS = Number(process.env.WALAKE_SCALE_DAYS ?? 6);
/** Hourly ticks simulated. */
const TICKS = BACKFILL_DAYS >= 30 ? 30 : 10;
/**
 * Backfill messages the worker gets through per tick. In AWS its lane's concurrency gets through far more in an
 * hour; a low figure keeps a backlog standing for the whole simulation, the case that starves a shared queue.
 */
const BACKFILL_PER_TICK = BACKFILL_DAYS >= 30 ? 60 : 10;
/** Days per control message, within the planner's caps. */
const MESSAGE_DAYS = Math.min(30, BACKFILL_DAYS);

let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
});

describe('reliability: a long backfill while hourly ticks fire', () => {
  it(`publishes every live window within 2 ticks of its end during a ${BACKFILL_DAYS}-day backfill, and starts no window twice`, async () => {
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
    for (let part = 0; part * MESSAGE_DAYS < BACKFILL_DAYS; part++) {
      const from = backfillTo - BACKFILL_DAYS * DAY + part * MESSAGE_DAYS * DAY;
      const to = Math.min(from + MESSAGE_DAYS * DAY, backfillTo);
      await p.sendControl(
        {
          v: 1,
          kind: 'rerun',
          table: 'call-legs',
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
        },
        `backfill.call-legs.part${part}`,
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
      const entries = await p.ledger('call-legs', windowsFor(T0 - DAY, due, 60));
      for (const e of entries) {
        expect(e.status, `${e.window} at tick ${tick}`).toBe('published');
        // Windows that ended after T0 are the live ones; the horizon before T0 is the first run's catch-up.
        if (e.status === 'published' && e.endMs > T0)
          lagHours = Math.max(lagHours, (Date.parse(e.finishedAt) - e.endMs) / HOUR);
      }
    }
    // The backfill was still queued when the last tick fired: the live windows did not wait for it.
    const backlog = await p.pageDepth();
    expect(backlog).toBeGreaterThan(0);
    await backfill.drain(1_800_000);
    const ledger = await p.ledger('call-legs');
    const liveWindows = 24 + TICKS;
    expect(ledger).toHaveLength(BACKFILL_DAYS * 24 + liveWindows);
    expect(ledger.every((e) => e.status === 'published' && e.attempt === 1)).toBe(true);
    expect(p.metric('ChainsRestarted')).toBe(0);
    const requests = Object.values(p.sim.stats.reportRequests).reduce((a, b) => a + b, 0);
    const pages = p.metric('PagesFetched');
    expect(requests).toBe(pages);
    expect(lagHours).toBeLessThanOrEqual(2);
    recordFigures(`backfill-and-live-${BACKFILL_DAYS}d`, {
      backfillChains: BACKFILL_DAYS * 24,
      liveChains: liveWindows,
      ticks: TICKS,
      backlogAfterTicks: backlog,
      requests,
      duplicatedRequests: requests - pages,
      largestLiveLagHours: Math.round(lagHours * 100) / 100,
    });
  }, 3_600_000);
});
