import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../functions/core/tables.js';
import { windowsFor } from '../../functions/core/windows.js';
import { INSTANTS, TestClock } from '../support/clock.js';
import { expectedRows } from '../support/lake-truth.js';
import { Pipeline } from '../support/pipeline.js';

const HOUR = 3_600_000;
// The simulator's clock is frozen at midnight after a busy weekday, and the schedule fires at that instant:
// the truth of the last windows cannot change while the chains run.
const now = INSTANTS.afterBusyDay;
const windows = windowsFor(now - 24 * HOUR, now, 60).filter((w) => w.endMs <= now);
const horizon = { fromMs: windows[0]?.startMs ?? 0, toMs: windows.at(-1)?.endMs ?? 0 };

let p: Pipeline;
beforeAll(async () => {
  // Small pages make long chains: a busy hour needs more than the 16 hops Lambda's loop detection allows.
  p = await Pipeline.start({
    sim: { apiKey: 'aws-key-5150', password: 'aws-pass-8086', now: () => now, callsPerHour: 5 },
    clock: new TestClock(now),
    env: { PAGE_SIZE: '2', HORIZON_DAYS: '1', GRID_MINUTES: '60' },
  });
});
afterAll(async () => {
  p.assertNoSecretPrinted();
  await p.stop();
});

describe('the chain on moto: planner and worker handlers, SQS FIFO, S3, Secrets Manager', () => {
  it('publishes every due window of a scheduled run, equal to the truth, through chains over 16 pages', async () => {
    const planned = (await p.schedule(now)) as { chains: number };
    expect(planned.chains).toBe(windows.length * TABLES.length);
    const esm = await p.drainPages();
    expect(esm.failures).toBe(0);
    expect(await p.dlqMessages()).toEqual([]);
    for (const table of TABLES) {
      expect(await p.lakeRows(table)).toEqual(expectedRows(p.sim, { table, ...horizon }));
      const published = (await p.ledger(table)).filter((e) => e.status === 'published');
      expect(published).toHaveLength(windows.length);
    }
    const legs = await p.ledger('call-legs');
    expect(Math.max(...legs.map((e) => (e.status === 'published' ? e.pages : 0)))).toBeGreaterThan(16);
  });

  it('reruns a window from a control message sent with the AWS SDK, as a new attempt', async () => {
    const window = { fromMs: horizon.toMs - 2 * HOUR, toMs: horizon.toMs - HOUR };
    await p.rerun('call-records', window.fromMs, window.toMs);
    await p.drainPages();
    const rerun = (await p.ledger('call-records')).find((e) => e.startMs === window.fromMs);
    expect(rerun).toMatchObject({ status: 'published', attempt: 2 });
    expect(await p.lakeRows('call-records')).toEqual(
      expectedRows(p.sim, { table: 'call-records', ...horizon }),
    );
  });
});
