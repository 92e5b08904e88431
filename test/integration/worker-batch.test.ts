import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageTask } from '../../functions/core/page-task.js';
import { INSTANTS, TestClock } from '../support/clock.js';
import { lambdaContext } from '../support/event-source-mapping.js';
import { pageTask, sqsRecord } from '../support/factories.js';
import { Pipeline } from '../support/pipeline.js';

let p: Pipeline;
/**
 * A clock that moves only when the handlers wait: the invocation's budget is spent by the worker's own retry
 * sleeps, never by how fast this machine runs, so the outcome below is the same on any machine.
 */
const clock = TestClock.manual(INSTANTS.afterBusyDay);
beforeAll(async () => {
  p = await Pipeline.start({ sim: { apiKey: 'batch-key-4004', deniedPbxIds: ['acme-eu'] }, clock });
});
afterAll(async () => {
  p.assertNoSecretPrinted();
  await p.stop();
});

const record = (task: PageTask, n: number) =>
  sqsRecord(task, n, { queueArn: p.aws.pageQueue.arn, sentAtMs: p.clock.now() });

describe('worker handler on a real-shaped FIFO batch', () => {
  it('reports the failed message and the rest of its group, and processes the other groups', async () => {
    const task = (hour: number, pbx: string[] | 'allpbxes') => pageTask({ table: 'call-records', hour, pbx });
    // Group A's PBX answers 429 with Retry-After: 1 for as long as the test lasts: a transient failure.
    const broken = task(0, ['acmecorp2']);
    const brokenAgain = { ...broken };
    const fine = task(1, 'allpbxes');
    p.sim.faults.plan = (req) =>
      req.query.pbxId === 'acmecorp2' ? { kind: '429', retryAfter: '1' } : undefined;
    const event: SQSEvent = { Records: [record(broken, 1), record(fine, 2), record(brokenAgain, 3)] };
    // 17 s left and 15 s kept back: a 2 s budget. The first attempt is answered 429, the worker waits the 1 s
    // asked, the second is answered 429 too, and a second wait would reach the deadline: it gives up there.
    const started = clock.now();
    const response = (await p.worker(
      event,
      lambdaContext('walake-worker', { timeoutMs: 17_000, clock }),
    )) as SQSBatchResponse;
    p.sim.faults.plan = undefined;
    expect(clock.now() - started).toBe(1000);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['m1', 'm3']);
    // The other group went on: its page 2 is queued.
    const { Messages = [] } = await p.aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: p.aws.pageQueue.url, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => JSON.parse(m.Body ?? '{}'))).toMatchObject([{ window: fine.window, page: 2 }]);
    const failure = p
      .records()
      .find((r) => r.level === 'ERROR' && /page task failed/.test(String(r.message)));
    expect(JSON.stringify(failure?.error)).toMatch(/429.*2 attempts, stopped by the deadline/);
  });

  it('fails the window at once on a permanent refusal, and consumes the message instead of retrying it', async () => {
    // A PBX the user may not read: 403, the same on every retry.
    const denied = pageTask({ pbx: ['acme-eu'] });
    const failedBefore = p.metric('WindowsFailed');
    const event: SQSEvent = { Records: [record(denied, 9)] };
    const response = (await p.worker(event, lambdaContext('walake-worker'))) as SQSBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    expect(p.metric('WindowsFailed')).toBe(failedBefore + 1);
    const entry = (await p.ledger('call-legs')).find((e) => e.window === denied.window);
    expect(entry).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/may not read this PBX \(403/),
    });
  });
});
