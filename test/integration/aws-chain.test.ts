import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerEntrySchema } from '../../functions/core/ledger.js';
import { TABLES } from '../../functions/core/tables.js';
import { windowsFor } from '../../functions/core/windows.js';
import { type Simulator, startSimulator } from '../simulator/index.js';
import { type AwsEnv, createAwsEnv, downloadPrefix } from '../support/aws-env.js';
import { EventSourceMapping, lambdaContext, queueDepth } from '../support/event-source-mapping.js';
import { expectedRows, lakeRows } from '../support/lake-truth.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const HOUR = 3_600_000;

let sim: Simulator;
const frozen = Date.now();
let aws: AwsEnv;
let planner: Handler;
let worker: Handler;
const dirs: string[] = [];

beforeAll(async () => {
  // A frozen clock: the truth of the last windows must not change while the chain runs.
  sim = await startSimulator({
    callsPerHour: 3,
    apiKey: 'aws-key-5150',
    password: 'aws-pass-8086',
    now: () => frozen,
  });
  aws = await createAwsEnv({ apiKey: sim.apiKey, username: sim.username, password: sim.password });
  // Small pages make long chains: a busy hour needs more than the 16 hops Lambda's loop detection allows.
  Object.assign(process.env, {
    WA_BASE_URL: sim.baseUrl,
    PAGE_SIZE: '2',
    HORIZON_DAYS: '1',
    GRID_MINUTES: '60',
  });
  planner = (await import('../../functions/handlers/planner.js')).handler as Handler;
  worker = (await import('../../functions/handlers/worker.js')).handler as Handler;
});
afterAll(async () => {
  await sim?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function workerMapping(timeoutMs?: () => number) {
  return new EventSourceMapping(
    aws.sqs,
    aws.pageQueue.url,
    aws.pageQueue.arn,
    worker as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>,
    { batchSize: 5, functionName: 'walake-worker', timeoutMs },
  );
}

/** Runs the worker's event source until the page queue is empty, four batches at a time. */
async function drainPages() {
  const esm = workerMapping();
  await Promise.all([esm.drain(240_000), esm.drain(240_000), esm.drain(240_000), esm.drain(240_000)]);
  return esm;
}

async function ledger(table: string) {
  const dir = mkdtempSync(join(tmpdir(), 'walake-ledger-'));
  dirs.push(dir);
  const keys = await downloadPrefix(aws.s3, aws.bucket, `ledger/${table.replace('-', '_')}/`, dir);
  return Promise.all(
    keys.map(async (key) => {
      const body = await aws.s3.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key }));
      return LedgerEntrySchema.parse(JSON.parse((await body.Body?.transformToString()) ?? ''));
    }),
  );
}

async function localLake(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'walake-s3lake-'));
  dirs.push(dir);
  await downloadPrefix(aws.s3, aws.bucket, 'lake/', dir);
  return dir;
}

describe('the chain on moto: planner and worker handlers, SQS FIFO, S3, Secrets Manager', () => {
  let horizon: { fromMs: number; toMs: number };

  it('publishes every due window of a scheduled run, equal to the truth', async () => {
    const now = frozen;
    const windows = windowsFor(now - 24 * HOUR, now, 60).filter((w) => w.endMs <= now);
    horizon = { fromMs: windows[0]?.startMs ?? 0, toMs: windows.at(-1)?.endMs ?? 0 };
    const event: ScheduledEvent = {
      version: '0',
      id: 'e1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date(now).toISOString(),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/walake-schedule'],
      detail: {},
    };
    const planned = (await planner(event, lambdaContext('walake-planner'))) as { chains: number };
    expect(planned.chains).toBe(windows.length * TABLES.length);
    const esm = await drainPages();
    expect(esm.failures).toBe(0);
    expect(await queueDepth(aws.sqs, aws.pageDlq.url)).toBe(0);
    const out = await localLake();
    for (const table of TABLES) {
      expect(await lakeRows(out, table)).toEqual(expectedRows(sim, { table, ...horizon }));
      const entries = await ledger(table);
      expect(entries.filter((e) => e.status === 'published')).toHaveLength(windows.length);
    }
    const legs = await ledger('call-legs');
    const longest = Math.max(...legs.map((e) => (e.status === 'published' ? e.pages : 0)));
    expect(longest).toBeGreaterThan(16);
  });

  it('reruns a window from a control message sent with the AWS SDK, as a new attempt', async () => {
    const window = { fromMs: horizon.toMs - 2 * HOUR, toMs: horizon.toMs - HOUR };
    await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: aws.controlQueue.url,
        MessageBody: JSON.stringify({
          v: 1,
          kind: 'rerun',
          table: 'call-records',
          from: new Date(window.fromMs).toISOString(),
          to: new Date(window.toMs).toISOString(),
        }),
      }),
    );
    const control = new EventSourceMapping(
      aws.sqs,
      aws.controlQueue.url,
      aws.controlQueue.arn,
      planner as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>,
      { batchSize: 10, functionName: 'walake-planner' },
    );
    await control.drain();
    expect(control.failures).toBe(0);
    await drainPages();
    const entries = await ledger('call-records');
    const rerun = entries.find((e) => e.startMs === window.fromMs);
    expect(rerun).toMatchObject({ status: 'published', attempt: 2 });
    const out = await localLake();
    expect(await lakeRows(out, 'call-records')).toEqual(
      expectedRows(sim, { table: 'call-records', ...horizon }),
    );
  });

  it('dead-letters a task after five receives when the API stays down past the retry budget', async () => {
    sim.faults.plan = () => ({ kind: '5xx', status: 503 });
    try {
      await aws.sqs.send(
        new SendMessageCommand({
          QueueUrl: aws.controlQueue.url,
          MessageBody: JSON.stringify({
            v: 1,
            kind: 'rerun',
            table: 'call-legs',
            from: new Date(horizon.fromMs).toISOString(),
            to: new Date(horizon.fromMs + HOUR).toISOString(),
          }),
        }),
      );
      const control = new EventSourceMapping(
        aws.sqs,
        aws.controlQueue.url,
        aws.controlQueue.arn,
        planner as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>,
        { batchSize: 10, functionName: 'walake-planner' },
      );
      await control.drain();
      // 17 s left: the worker keeps 15 s back, so each delivery retries for about 2 s and gives up.
      const esm = workerMapping(() => 17_000);
      await esm.drain(120_000);
      expect(esm.invocations).toBe(5);
      const { Messages = [] } = await aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: aws.pageDlq.url, MaxNumberOfMessages: 10 }),
      );
      expect(Messages).toHaveLength(1);
      expect(JSON.parse(Messages[0]?.Body ?? '{}')).toMatchObject({
        table: 'call-legs',
        page: 1,
        attempt: 2,
      });
    } finally {
      sim.faults.plan = undefined;
    }
  });
});
