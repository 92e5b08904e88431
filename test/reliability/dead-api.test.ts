import { afterEach, describe, expect, it } from 'vitest';
import { redriveQueue } from '../../functions/adapters/dlq-redrive.js';
import { INSTANTS } from '../support/clock.js';
import { expectedRows } from '../support/lake-truth.js';
import { Pipeline } from '../support/pipeline.js';
import { recordFigures } from './figures.js';

let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
});

describe('reliability: the API down for longer than the retry budget', () => {
  it('retries within bounds, fails the window on the last delivery, and a redrive resumes it exactly', async () => {
    // A busy hour, with enough legs for more than three pages of 4: the API dies before the chain ends.
    const p = await Pipeline.start({
      sim: { apiKey: 'dead-key-5555', callsPerHour: 10 },
      env: { PAGE_SIZE: '4' },
    });
    pipeline = p;
    const range = INSTANTS.busyHours(1);
    expect(expectedRows(p.sim, { table: 'call-legs', ...range }).length).toBeGreaterThan(3 * 4);
    await p.rerun('call-legs', range.fromMs, range.toMs);
    // The API dies after the chain's second page.
    p.sim.faults.plan = (req) => (req.n > 2 ? { kind: '5xx', status: 503 } : undefined);
    // 17 s left per invocation and 15 s kept back: each delivery retries for about 2 s, then gives up.
    const failing = p.pageMapping(() => 17_000);
    await failing.drain(120_000);
    const dead = await p.dlqMessages();
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0] ?? '{}')).toMatchObject({ table: 'call-legs', page: 3 });
    const requestsWhileDown = p.sim.stats.reportRequests['/v2/call-legs'] ?? 0;
    // Five deliveries, each with a handful of attempts: bounded, not a storm.
    expect(requestsWhileDown).toBeLessThanOrEqual(2 + 5 * 6);
    // The last delivery failed the window, with the reason, and an alarm's metric: not a silent "running".
    expect(await p.ledger('call-legs')).toEqual([
      expect.objectContaining({ status: 'failed', failures: 1, reason: expect.stringMatching(/503/) }),
    ]);
    expect(p.metric('WindowsFailed')).toBe(1);
    expect(p.metric('RecordsFailed')).toBe(5);

    p.sim.faults.plan = undefined;
    const redriven = await redriveQueue(p.aws.sqs, {
      dlqUrl: p.aws.backfillDlq.url,
      queueUrl: p.aws.backfillQueue.url,
      limit: Number.POSITIVE_INFINITY,
      nowMs: p.clock.now(),
      visibilityTimeout: 5,
    });
    expect(redriven.moved).toBe(1);
    await p.drainPages();
    expect(await p.dlqMessages()).toEqual([]);
    expect(await p.lakeRows('call-legs')).toEqual(expectedRows(p.sim, { table: 'call-legs', ...range }));
    expect((await p.ledger('call-legs')).map((e) => e.status)).toEqual(['published']);
    recordFigures('dead-api', {
      deliveries: failing.invocations,
      requestsWhileDown,
      redriven: redriven.moved,
    });
  });
});
