import { afterEach, describe, expect, it } from 'vitest';
import { INSTANTS, TestClock } from '../support/clock.js';
import { Pipeline } from '../support/pipeline.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = INSTANTS.afterBusyDay + 14 * HOUR;

let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
});

describe('reliability: the failure lifecycle on AWS (moto)', () => {
  it('never replaces a chain that keeps making progress, however long it runs', async () => {
    const clock = new TestClock(T0);
    // One row a page: the busy hours make chains of dozens of pages, longer than staleAfterMinutes to run here.
    const p = await Pipeline.start({
      sim: { apiKey: 'slow-key-7070', callsPerHour: 10, now: () => T0 },
      env: { TABLES: 'call-legs', HORIZON_DAYS: '1', PAGE_SIZE: '1', STALE_AFTER_MINUTES: '120' },
      clock,
    });
    pipeline = p;
    const first = (await p.schedule(T0)) as { chains: number };
    expect(first.chains).toBe(24);
    const [live] = p.pageMapping().mappings;
    if (!live) throw new Error('the harness has a live lane');
    // Four rounds of 50 minutes: each chain gets a page per round, so each shows progress within the hour.
    for (let round = 0; round < 4; round++) {
      clock.advance(50 * MINUTE);
      for (let i = 0; i < 24; i++) await live.pollOnce();
    }
    const running = (await p.ledger('call-legs')).filter((e) => e.status === 'running');
    expect(running.length).toBeGreaterThan(0);
    for (const e of running) expect(clock.now() - Date.parse(e.startedAt)).toBeGreaterThan(120 * MINUTE);
    // 200 minutes after they started: only the windows that ended meanwhile are new; none is restarted.
    const second = (await p.schedule(clock.now())) as { chains: number };
    expect(second.chains).toBe(3);
    const after = await p.ledger('call-legs');
    for (const e of running) expect(after.find((a) => a.window === e.window)?.attempt).toBe(1);
  });
});
