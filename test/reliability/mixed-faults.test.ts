import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { TABLES } from '../../functions/core/tables.js';
import { windowsFor } from '../../functions/core/windows.js';
import { INSTANTS, TestClock } from '../support/clock.js';
import { expectedRows } from '../support/lake-truth.js';
import { Pipeline } from '../support/pipeline.js';
import { recordFigures } from './figures.js';

const HOUR = 3_600_000;
let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
});

/** The windows a scheduled run at `now` pulls (HORIZON_DAYS=1), as one range. */
function horizon(now: number) {
  const windows = windowsFor(now - 24 * HOUR, now, 60).filter((w) => w.endMs <= now);
  return { fromMs: windows[0]?.startMs ?? 0, toMs: windows.at(-1)?.endMs ?? 0, count: windows.length };
}

function requests(p: Pipeline): number {
  return Object.values(p.sim.stats.reportRequests).reduce((a, b) => a + b, 0);
}

describe('reliability: faults on every side of the worker', () => {
  it('keeps both tables exact through 5xx, 429s, a revoked token, duplicate deliveries and crashes', async () => {
    const started = INSTANTS.afterBusyDay;
    const wall = performance.now();
    const p = await Pipeline.start({
      sim: { apiKey: 'mixed-key-4471', password: 'mixed-pass-9923', now: () => started },
      clock: new TestClock(started),
    });
    pipeline = p;
    const range = horizon(started);
    await p.schedule(started);
    Object.assign(p.sim.faults, { errorRate5xx: 0.05, rate429: 0.02, retryAfterSeconds: 1 });
    p.sim.faults.plan = (req) => {
      if (req.n === 40) p.sim.revokeTokens();
      return undefined;
    };
    let sends = 0;
    const crashes = p.inject(
      'sqs',
      (command) => command === 'SendMessageCommand' && [3, 11, 29].includes(++sends),
      () => new Error('worker crashed after staging the page, before queuing the next task'),
    );
    let received = 0;
    let duplicate: Promise<unknown> = Promise.resolve();
    const esm = await p.drainPages({
      skipAck: (record) => {
        received++;
        if (received === 8) {
          // A duplicate delivery: SQS is at-least-once, so the same task may arrive again later.
          duplicate = p.aws.sqs.send(
            new SendMessageCommand({
              QueueUrl: p.aws.pageQueue.url,
              MessageBody: record.body,
              MessageGroupId: record.attributes.MessageGroupId,
              MessageDeduplicationId: `${record.attributes.MessageDeduplicationId}.dup`,
            }),
          );
        }
        // A crash after the worker finished (next task sent) but before the event source deleted the message.
        return received === 5 || received === 17;
      },
    });
    crashes();
    await duplicate;
    expect(await p.dlqMessages()).toEqual([]);
    let dataPages = 0;
    for (const table of TABLES) {
      expect(await p.lakeRows(table)).toEqual(expectedRows(p.sim, { table, ...range }));
      const published = (await p.ledger(table)).filter((e) => e.status === 'published');
      expect(published).toHaveLength(range.count);
      for (const e of published) if (e.status === 'published') dataPages += e.pages + 1;
    }
    const retries = p.metric('ApiRetries');
    expect(retries).toBeGreaterThan(0);
    expect(requests(p)).toBeLessThanOrEqual(1.1 * dataPages + retries);
    recordFigures('mixed-faults', {
      windows: range.count * TABLES.length,
      rows: p.sim.stats.rowsServed,
      pages: dataPages,
      requests: requests(p),
      retries,
      redeliveries: esm.failures,
      durationMs: Math.round(performance.now() - wall),
    });
  });

  it('logs in once per token lifetime, renewing before expiry, and no 401 reaches the DLQ', async () => {
    // Every report request moves the pipeline's one clock (the simulator's tokens and the worker's token
    // provider read it) a second on: the pull spans several token lifetimes by construction, not by luck.
    const TTL_SECONDS = 30;
    const clock = new TestClock(INSTANTS.afterBusyDay);
    const p = await Pipeline.start({
      sim: { tokenTtlSeconds: TTL_SECONDS, apiKey: 'short-key-1187', password: 'short-pass-3344' },
      env: { PAGE_SIZE: '3' },
      clock,
    });
    pipeline = p;
    p.sim.faults.plan = () => {
      clock.advance(1000);
      return undefined;
    };
    const range = INSTANTS.busyHours(6);
    await p.sendControl({
      v: 1,
      kind: 'rerun',
      table: 'all',
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
    });
    await p.drainControl();
    const loginsBefore = p.sim.stats.logins;
    const clockBefore = clock.now();
    await p.drainPages();
    const seconds = (clock.now() - clockBefore) / 1000;
    expect(await p.dlqMessages()).toEqual([]);
    expect(p.sim.stats.responses[401] ?? 0).toBe(0);
    // At least three lifetimes passed on the token clock, so renewal was needed more than once.
    expect(requests(p)).toBeGreaterThan(3 * TTL_SECONDS);
    expect(seconds).toBeGreaterThanOrEqual(requests(p));
    // Renewals happen a tenth of the lifetime early: one login per 27 s of token clock at most, plus the first.
    const logins = p.sim.stats.logins - loginsBefore;
    expect(logins).toBeLessThanOrEqual(Math.ceil(seconds / (0.9 * TTL_SECONDS)) + 1);
    expect(logins).toBeGreaterThanOrEqual(Math.floor(seconds / TTL_SECONDS));
    for (const table of TABLES)
      expect(await p.lakeRows(table)).toEqual(expectedRows(p.sim, { table, ...range }));
    recordFigures('short-tokens', { tokenSeconds: Math.round(seconds), logins, requests: requests(p) });
  });
});
