import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../functions/core/tables.js';
import { windowsFor } from '../../functions/core/windows.js';
import { type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { synthLake } from '../infra/synth.js';
import { type AwsEnv, createAwsEnv, downloadPrefix } from '../support/aws-env.js';
import { INSTANTS } from '../support/clock.js';
import { EventSourceMapping, lambdaContext } from '../support/event-source-mapping.js';
import { expectedRows, lakeRows } from '../support/lake-truth.js';

/** The trace Lambda would open for each invocation, sampled, with its recursion-detection lineage. */
const TRACE_ROOT = '1-684778a0-0123456789abcdef01234567';
const FACADE = '53995c3f42cd8ad8';

/**
 * What ships: the Lambda bundles `cdk synth` writes (esbuild, minified ESM, the AWS SDK inside), not the
 * sources, run against moto and the simulator. The bundles read the system clock, so the run is planned by a
 * scheduled event at a fixed instant in the past and the simulator is frozen there: nothing depends on today.
 */
const TICK = INSTANTS.afterBusyDay;
const windows = windowsFor(TICK - 86_400_000, TICK, 60);
const horizon = { fromMs: windows[0]?.startMs ?? 0, toMs: windows.at(-1)?.endMs ?? 0 };

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let sim: Simulator;
let aws: AwsEnv;
let planner: Handler;
let worker: Handler;
/** The input the stack's schedule sends, as its template says (`<aws.scheduler.scheduled-time>` filled in). */
let scheduleInput: string;
const dirs: string[] = [];
/** The X-Ray daemon stand-in: the datagrams the bundles send, as text. */
let daemon: Socket;
const datagrams: string[] = [];

beforeAll(async () => {
  const lake = synthLake();
  const resources = lake.template.toJSON().Resources;
  const schedule = Object.values(resources as Record<string, { Type: string; Properties: never }>).find(
    (r) => r.Type === 'AWS::Scheduler::Schedule',
  ) as { Properties: { Target: { Input: string } } } | undefined;
  scheduleInput = schedule?.Properties.Target.Input ?? '{}';
  const bundleOf = (fn: typeof lake.stack.worker) => {
    const key = String(
      resources[lake.stack.getLogicalId(fn.fn.node.defaultChild as never)].Properties.Code.S3Key,
    );
    return pathToFileURL(join(lake.app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs')).href;
  };
  daemon = createSocket('udp4');
  daemon.on('message', (message) => datagrams.push(message.toString()));
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  sim = await startSimulator({ apiKey: 'bundle-key-2222', callsPerHour: 4, now: () => TICK });
  aws = await createAwsEnv({ apiKey: sim.apiKey, username: sim.username, password: sim.password });
  Object.assign(process.env, {
    WA_BASE_URL: sim.baseUrl,
    HORIZON_DAYS: '1',
    PAGE_SIZE: '20',
    _X_AMZN_TRACE_ID: `Root=${TRACE_ROOT};Parent=${FACADE};Sampled=1;Lineage=a87bd80c:1`,
    _HANDLER: 'index.handler',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
  });
  planner = (await import(bundleOf(lake.stack.planner))).handler as Handler;
  worker = (await import(bundleOf(lake.stack.worker))).handler as Handler;
}, 180_000);

afterAll(async () => {
  await sim?.close();
  daemon?.close();
  for (const key of ['_X_AMZN_TRACE_ID', '_HANDLER', 'AWS_XRAY_DAEMON_ADDRESS']) delete process.env[key];
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the bundles cdk synth writes, on moto and the simulator', () => {
  it('plan a scheduled run at its tick and publish every window of the horizon, equal to the truth', async () => {
    // What EventBridge Scheduler sends: the template's input, with the context attribute it fills in.
    const event = JSON.parse(
      scheduleInput.replace('<aws.scheduler.scheduled-time>', new Date(TICK).toISOString()),
    ) as unknown;
    expect(event).toMatchObject({ scheduledTime: new Date(TICK).toISOString() });
    const planned = (await planner(event, lambdaContext('walake-planner'))) as { chains: number };
    expect(planned.chains).toBe(windows.length * TABLES.length);
    // One poller: moto's SQS can lose a message when a delete races a send, and the bundled handlers' own
    // clients cannot be serialized from outside.
    const esm = new EventSourceMapping(
      aws.sqs,
      aws.pageQueue.url,
      aws.pageQueue.arn,
      worker as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>,
      { batchSize: 5, functionName: 'walake-worker' },
    );
    await esm.drain(240_000);
    expect(esm.failures).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'walake-bundles-'));
    dirs.push(dir);
    await downloadPrefix(aws.s3, aws.bucket, 'lake/', dir);
    for (const table of TABLES) {
      expect(await lakeRows(dir, table)).toEqual(expectedRows(sim, { table, ...horizon }));
    }
  });

  it('trace every invocation, 8x8 request and AWS call to the X-Ray daemon, under the function segment', async () => {
    // Runs after the test above: the datagrams of its invocations.
    const documents = datagrams.map((text) => {
      const [head, body] = text.split('\n');
      expect(head).toBe('{"format": "json", "version": 1}');
      return JSON.parse(body ?? '{}') as {
        id: string;
        parent_id: string;
        trace_id: string;
        name: string;
        namespace?: string;
        aws?: { operation: string };
        http?: { request?: { url: string } };
      };
    });
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect(document.trace_id).toBe(TRACE_ROOT);
    const invocations = documents.filter((d) => d.name === '## index.handler');
    expect(invocations.length).toBeGreaterThan(1);
    for (const invocation of invocations) expect(invocation.parent_id).toBe(FACADE);
    const handlerIds = new Set(invocations.map((d) => d.id));
    const calls = documents.filter((d) => d.namespace);
    for (const call of calls) expect(handlerIds.has(call.parent_id)).toBe(true);
    const operations = new Set(calls.map((d) => `${d.name}.${d.aws?.operation ?? d.http?.request?.url}`));
    expect(operations).toContain('S3.PutObject');
    expect(operations).toContain('SQS.SendMessage');
    expect(operations).toContain('SecretsManager.GetSecretValue');
    const host = new URL(sim.baseUrl).host;
    expect([...operations].some((o) => o.startsWith(`${host}.`) && o.includes('/v2/call-legs'))).toBe(true);
  });
});
