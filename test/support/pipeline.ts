import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { vi } from 'vitest';
import { CONTROL_ID_ATTRIBUTE } from '../../functions/adapters/control-queue.js';
import { S3ObjectStore } from '../../functions/adapters/s3-store.js';
import { ledgerKey } from '../../functions/core/lake-keys.js';
import { type LedgerEntry, LedgerEntrySchema } from '../../functions/core/ledger.js';
import { type Table, tableFolder } from '../../functions/core/tables.js';
import type { Window } from '../../functions/core/windows.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../functions/simulator/index.js';
import { type AwsEnv, createAwsEnv, downloadPrefix } from './aws-env.js';
import { INSTANTS, TestClock } from './clock.js';
import { EventSourceMapping, lambdaContext, queueDepth } from './event-source-mapping.js';
import { lakeRows } from './lake-truth.js';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The deployed pipeline, locally: the simulator as 8x8, moto as S3/SQS/Secrets Manager, the real planner and
 * worker handlers (a fresh "container" each time: modules are re-imported), and event source mappings that
 * drive them. All that the handlers print is captured, so tests can read log lines and metrics and check that
 * no secret ever appears.
 */
export class Pipeline {
  readonly output: string[] = [];
  private readonly dirs: string[] = [];
  private lock: (client: SQSClient) => void = () => undefined;
  private restore: (() => void)[] = [];

  private constructor(
    readonly sim: Simulator,
    readonly aws: AwsEnv,
    readonly planner: Handler,
    readonly worker: Handler,
    readonly runtime: Runtime,
    readonly clock: TestClock,
  ) {}

  /**
   * `clock` is the one time of the whole pipeline: the simulator's (tokens, late data, the 2-year limit) and
   * the handlers' (planning, deadlines, settling). It starts at a fixed instant, never at the machine's date.
   */
  static async start(
    options: { sim?: SimulatorOptions; env?: Record<string, string>; clock?: TestClock } = {},
  ): Promise<Pipeline> {
    const clock = options.clock ?? new TestClock(INSTANTS.afterBusyDay);
    const sim = await startSimulator({ callsPerHour: 3, now: clock.now, ...options.sim });
    const aws = await createAwsEnv({ apiKey: sim.apiKey, username: sim.username, password: sim.password });
    Object.assign(process.env, {
      WA_BASE_URL: sim.baseUrl,
      HORIZON_DAYS: '1',
      PAGE_SIZE: '7',
      ...options.env,
    });
    const { planner, worker, runtime } = await loadHandlers(clock);
    const lock = serialized();
    for (const client of [aws.sqs, runtime.sqs]) lock(client);
    const pipeline = new Pipeline(sim, aws, planner, worker, runtime, clock);
    pipeline.lock = lock;
    pipeline.capture();
    return pipeline;
  }

  /** A new Lambda container: fresh modules, so nothing cached (token, credentials) survives. */
  async newContainer(): Promise<Pipeline> {
    const { planner, worker, runtime } = await loadHandlers(this.clock);
    this.lock(runtime.sqs);
    const next = new Pipeline(this.sim, this.aws, planner, worker, runtime, this.clock);
    next.lock = this.lock;
    next.restore = this.restore;
    (next as { output: string[] }).output = this.output;
    return next;
  }

  private capture(): void {
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream);
      // Kept, not echoed: the handlers' JSON logs would bury the test report.
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        this.output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        const callback = rest.find((r): r is () => void => typeof r === 'function');
        callback?.();
        return true;
      }) as typeof stream.write;
      this.restore.push(() => {
        stream.write = original as typeof stream.write;
      });
    }
  }

  /** Log lines and EMF metric documents the handlers printed, parsed. */
  records(): Record<string, unknown>[] {
    return this.output
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  /** The sum of a metric over every EMF document printed. */
  metric(name: string): number {
    // Powertools gathers repeated values of one metric in an invocation into an array.
    const values = this.records().flatMap((r) => (Array.isArray(r[name]) ? r[name] : [r[name]]));
    return values.reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
  }

  /** Fails the test when a secret (API key, password, any issued token) appears in anything printed. */
  assertNoSecretPrinted(extra: string[] = []): void {
    const all = this.output.join('');
    for (const secret of [this.sim.apiKey, this.sim.password, ...this.sim.stats.issuedTokens, ...extra]) {
      if (all.includes(secret))
        throw new Error(`a secret appeared in the handlers' output: ${secret.slice(0, 4)}…`);
    }
  }

  async schedule(nowMs = this.clock.now()): Promise<unknown> {
    const event: ScheduledEvent = {
      version: '0',
      id: `schedule-${nowMs}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date(nowMs).toISOString(),
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/walake-schedule'],
      detail: {},
    };
    return this.planner(event, lambdaContext('walake-planner', { timeoutMs: 120_000, clock: this.clock }));
  }

  /** Sends a control message; `id` is the sender's id attribute, as `walake rerun` and `backfill` set it. */
  async sendControl(body: unknown, id?: string): Promise<void> {
    const MessageBody = typeof body === 'string' ? body : JSON.stringify(body);
    const MessageAttributes = id
      ? { [CONTROL_ID_ATTRIBUTE]: { DataType: 'String', StringValue: id } }
      : undefined;
    await this.aws.sqs.send(
      new SendMessageCommand({ QueueUrl: this.aws.controlQueue.url, MessageBody, MessageAttributes }),
    );
  }

  async drainControl(): Promise<EventSourceMapping> {
    const esm = new EventSourceMapping(
      this.aws.sqs,
      this.aws.controlQueue.url,
      this.aws.controlQueue.arn,
      this.planner as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>,
      {
        batchSize: 1,
        functionName: 'walake-planner',
        budget: { timeoutMs: () => 120_000, clock: this.clock },
      },
    );
    await esm.drain();
    return esm;
  }

  /**
   * Runs the worker's event sources (the live and the backfill lane) until both page queues are empty,
   * `pollers` invocations at a time on each.
   */
  async drainPages(
    options: {
      pollers?: number;
      timeoutMs?: () => number;
      skipAck?: (r: SQSRecord) => boolean;
      limitMs?: number;
    } = {},
  ): Promise<Lanes> {
    const lanes = this.pageMapping(options.timeoutMs, options.skipAck);
    const limit = options.limitMs ?? 240_000;
    await Promise.all(Array.from({ length: options.pollers ?? 4 }, () => lanes.drain(limit)));
    return lanes;
  }

  /** Page tasks waiting or in flight, on both lanes. */
  async pageDepth(): Promise<number> {
    const [live, backfill] = await Promise.all(
      [this.aws.pageQueue.url, this.aws.backfillQueue.url].map((url) => queueDepth(this.aws.sqs, url)),
    );
    return (live ?? 0) + (backfill ?? 0);
  }

  /** Bodies in a dead-letter queue: `page` is both lanes' page DLQs. */
  async dlqMessages(which: 'page' | 'control' = 'page'): Promise<string[]> {
    const urls =
      which === 'page' ? [this.aws.pageDlq.url, this.aws.backfillDlq.url] : [this.aws.controlDlq.url];
    const bodies: string[] = [];
    for (const url of urls) {
      const { Messages = [] } = await this.aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
      );
      bodies.push(...Messages.map((m) => m.Body ?? ''));
    }
    return bodies;
  }

  /** Every ledger entry of a table, or of the given windows only, in key order. */
  async ledger(table: Table, windows?: readonly Window[]): Promise<LedgerEntry[]> {
    const store = new S3ObjectStore(this.aws.s3, this.aws.bucket);
    const keys = windows
      ? windows.map((w) => ledgerKey(table, w))
      : await store.list(`ledger/${tableFolder(table)}/`);
    const entries: LedgerEntry[] = [];
    for (let i = 0; i < keys.length; i += 32) {
      const bodies = await Promise.all(keys.slice(i, i + 32).map((key) => store.get(key)));
      for (const body of bodies)
        if (body) entries.push(LedgerEntrySchema.parse(JSON.parse(Buffer.from(body).toString('utf8'))));
    }
    return entries;
  }

  /** The published lake, read with DuckDB from a local copy (DuckDB cannot read s3:// offline). */
  async lakeRows(table: Table, where?: string): Promise<Record<string, unknown>[]> {
    const dir = this.tmp();
    await downloadPrefix(this.aws.s3, this.aws.bucket, `lake/${tableFolder(table)}/`, dir);
    return lakeRows(dir, table, where);
  }

  /** Any SQL over a local copy of the published lake (tables `call_legs`, `call_records`, lineage included). */
  async lakeQuery(sql: string): Promise<Record<string, unknown>[]> {
    const dir = this.tmp();
    await downloadPrefix(this.aws.s3, this.aws.bucket, 'lake/', dir);
    const { openLake } = await import('../../functions/adapters/duckdb-lake.js');
    const lake = await openLake(dir);
    try {
      return await lake.query(sql);
    } finally {
      lake.close();
    }
  }

  /**
   * The worker's event sources on both lanes, as the stack wires them (one message per invocation), for tests
   * that poll batch by batch; `timeoutMs` is each invocation's time.
   */
  pageMapping(timeoutMs?: () => number, skipAck?: (r: SQSRecord) => boolean): Lanes {
    const mapping = (queue: { url: string; arn: string }) =>
      new EventSourceMapping(
        this.aws.sqs,
        queue.url,
        queue.arn,
        this.worker as (e: SQSEvent, c: Context) => Promise<SQSBatchResponse>,
        {
          batchSize: 1,
          functionName: 'walake-worker',
          budget: { timeoutMs: timeoutMs ?? (() => 120_000), clock: this.clock },
          skipAck,
        },
      );
    return new Lanes([mapping(this.aws.pageQueue), mapping(this.aws.backfillQueue)]);
  }

  /** Sends a rerun of `[fromMs, toMs)` to the control queue and lets the planner queue its chains. */
  async rerun(table: Table | 'all', fromMs: number, toMs: number): Promise<void> {
    await this.sendControl({
      v: 1,
      kind: 'rerun',
      table,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    });
    await this.drainControl();
  }

  /** Throws `error` from the handlers' own SDK client on the calls `when` picks: a crash at that point. */
  inject(
    client: 's3' | 'sqs',
    when: (command: string, input: Record<string, unknown>) => boolean,
    error: () => Error,
  ) {
    // Both clients share the middleware stack's shape; the union's overloads do not, so it is typed loosely.
    const target = this.runtime[client] as unknown as {
      middlewareStack: {
        add(
          middleware: (
            next: (args: { input: unknown }) => Promise<unknown>,
            context: { commandName?: string },
          ) => (args: { input: unknown }) => Promise<unknown>,
          options: { step: 'initialize'; name: string },
        ): void;
        remove(name: string): boolean;
      };
    };
    const name = `inject-${Math.random()}`;
    target.middlewareStack.add(
      (next, context) => async (args) => {
        if (when(context.commandName ?? '', args.input as Record<string, unknown>)) throw error();
        return next(args);
      },
      { step: 'initialize', name },
    );
    return () => target.middlewareStack.remove(name);
  }

  private tmp(): string {
    const dir = mkdtempSync(join(tmpdir(), 'walake-pipe-'));
    this.dirs.push(dir);
    return dir;
  }

  async stop(): Promise<void> {
    for (const undo of this.restore.splice(0)) undo();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    await this.sim.close();
  }
}

/** The event sources of the live and the backfill page queue, polled and counted as one. */
export class Lanes {
  constructor(readonly mappings: readonly EventSourceMapping[]) {}

  get invocations(): number {
    return this.mappings.reduce((sum, m) => sum + m.invocations, 0);
  }

  get failures(): number {
    return this.mappings.reduce((sum, m) => sum + m.failures, 0);
  }

  /** One batch from each lane; how many messages were received in all. */
  async pollOnce(): Promise<number> {
    let received = 0;
    for (const mapping of this.mappings) received += await mapping.pollOnce();
    return received;
  }

  async drain(timeoutMs?: number): Promise<void> {
    await Promise.all(this.mappings.map((m) => m.drain(timeoutMs)));
  }
}

type Runtime = {
  s3: S3Client;
  sqs: SQSClient;
  clock: { now: () => number; sleep: (ms: number) => Promise<void> };
};

/**
 * Imports the handlers afresh (a new Lambda container) and sets their clock to the test's: they read the time
 * from it, and their retry waits advance it instead of waiting in real time.
 */
async function loadHandlers(
  clock: TestClock,
): Promise<{ planner: Handler; worker: Handler; runtime: Runtime }> {
  vi.resetModules();
  const planner = (await import('../../functions/handlers/planner.js')).handler as Handler;
  const worker = (await import('../../functions/handlers/worker.js')).handler as Handler;
  const runtime = await import('../../functions/handlers/runtime.js');
  runtime.clock.now = clock.now;
  runtime.clock.sleep = clock.sleep;
  return { planner, worker, runtime };
}

/**
 * Runs the SQS calls of the given clients one at a time. moto's SQS deletes a message by rebuilding the queue's
 * list outside the lock its sends take, so a delete that races a send to the same queue can lose the sent
 * message: an emulator bug that real SQS does not have. Concurrent handlers still fetch, stage and publish in
 * parallel; only their calls to moto's SQS take turns.
 */
function serialized(): (client: SQSClient) => void {
  let tail: Promise<unknown> = Promise.resolve();
  return (client) => {
    (
      client.middlewareStack as unknown as {
        add(
          middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
          options: { step: 'finalizeRequest'; name: string; priority: 'low' },
        ): void;
      }
    ).add(
      (next) => (args) => {
        const run = tail.then(() => next(args));
        tail = run.catch(() => undefined);
        return run;
      },
      { step: 'finalizeRequest', name: `serialize-${Math.random()}`, priority: 'low' },
    );
  };
}
