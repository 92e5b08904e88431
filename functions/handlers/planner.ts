import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, ScheduledEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CONTROL_ID_ATTRIBUTE } from '../adapters/control-queue.js';
import { S3ObjectStore } from '../adapters/s3-store.js';
import { SecretNotSetError } from '../adapters/secret-credentials.js';
import { SqsTaskQueue } from '../adapters/sqs-queue.js';
import { assertKnownPbxes, UnknownPbxError } from '../adapters/wa-pbxes.js';
import { parseControlMessage } from '../core/control-message.js';
import { planRerunOnce } from '../core/control-once.js';
import { endOnLastDataPageAllowed, ensureManifest } from '../core/manifest.js';
import { type PlanConfig, planScheduled } from '../core/plan.js';
import { type ScheduledInput, scheduledTickMs } from '../core/schedule-tick.js';
import { METRICS, PlannerConfigSchema, parseConfig } from './config.js';
import {
  clock,
  forgetConnection,
  forgetConnectionOn,
  logger,
  metrics,
  s3,
  sqs,
  tracer,
  workAnalytics,
} from './runtime.js';

const config = parseConfig(PlannerConfigSchema, process.env);
const ports = {
  store: new S3ObjectStore(s3, config.DATA_BUCKET),
  queue: new SqsTaskQueue(sqs, { live: config.PAGE_QUEUE_URL, backfill: config.BACKFILL_QUEUE_URL }),
  clock,
};
const plan: PlanConfig = {
  tables: config.TABLES,
  pbx: config.PBX_IDS,
  gridMinutes: config.GRID_MINUTES,
  pageSize: config.PAGE_SIZE,
  settleMinutes: config.SETTLE_MINUTES,
  horizonDays: config.HORIZON_DAYS,
  staleAfterMinutes: config.STALE_AFTER_MINUTES,
  isConnectTime: config.IS_CONNECT_TIME,
  filterFields: { 'call-legs': config.LEGS_FILTER_FIELD, 'call-records': config.RECORDS_FILTER_FIELD },
  isSimplified: config.IS_SIMPLIFIED,
  maxChains: config.MAX_CHAINS_PER_RUN,
};

/** The plan of this invocation: whether chains may end on their last data page is read from the manifest. */
async function currentPlan(): Promise<PlanConfig> {
  const allowed = await endOnLastDataPageAllowed(ports.store, plan.tables, config.END_ON_LAST_DATA_PAGE);
  return { ...plan, endOnLastDataPage: allowed };
}

/**
 * Logs in once before queuing anything: wrong credentials fail here, clearly, with nothing queued. A secret
 * not set yet (a fresh deployment) is not a failure: the tick says so and ends, `false`.
 */
async function checkCredentials(): Promise<boolean> {
  try {
    await (await workAnalytics(config.SECRET_ID, config.WA_BASE_URL)).tokens.token();
    return true;
  } catch (error) {
    if (error instanceof SecretNotSetError) {
      forgetConnection();
      logger.warn(`waiting for the 8x8 credentials: nothing queued. ${error.message}`);
      return false;
    }
    if (forgetConnectionOn(error)) logger.error('8x8 refused the credentials: nothing queued', { error });
    throw error;
  }
}

async function onSchedule(event: ScheduledInput): Promise<{ chains: number; waiting?: 'credentials' }> {
  if (!(await checkCredentials())) return { chains: 0, waiting: 'credentials' };
  await ensureManifest(ports.store, config.GRID_MINUTES, clock.now());
  // Plan at the tick's own time, so that a late or retried invocation plans the same windows.
  const tick = scheduledTickMs(event, clock.now());
  if (tick.from === 'now') logger.warn('scheduled event without a time: planning at now', { event });
  const at = { now: () => tick.atMs };
  const started = await planScheduled({ ...ports, clock: at }, await currentPlan());
  metrics.addMetric(METRICS.chainsStarted, MetricUnit.Count, started.length);
  logger.info('scheduled run planned', {
    chains: started.length,
    windows: started.map((t) => `${t.table} ${t.window} a${t.attempt}`),
  });
  return { chains: started.length };
}

/** Time kept back from the planner's remaining time to checkpoint and report. */
const SAFETY_MS = 10_000;

async function onControlMessage(record: SQSRecord, context: Context): Promise<void> {
  const parsed = parseControlMessage(record.body, clock.now(), config.MAX_RERUN_DAYS);
  if (!parsed.ok) {
    // Redelivering a refused message would refuse it again: log why and drop it.
    logger.error(parsed.error, { messageId: record.messageId });
    metrics.addMetric(METRICS.messagesRejected, MetricUnit.Count, 1);
    return;
  }
  const firstDayMs = config.FIRST_DAY === undefined ? undefined : Date.parse(`${config.FIRST_DAY}T00:00:00Z`);
  if (firstDayMs !== undefined && parsed.rerun.fromMs < firstDayMs) {
    // Published there, the windows would be in S3 but in no query: the tables' projection starts later.
    logger.error(
      `control message refused: it starts before ${config.FIRST_DAY}, the first day the Athena tables read; ` +
        'deploy with -c firstDay=<its first day> first, then send it again',
      { messageId: record.messageId },
    );
    metrics.addMetric(METRICS.messagesRejected, MetricUnit.Count, 1);
    return;
  }
  await checkCredentials();
  await ensureManifest(ports.store, config.GRID_MINUTES, clock.now());
  const { pbx } = parsed.rerun;
  if (pbx && pbx !== 'allpbxes') {
    try {
      await assertKnownPbxes((await workAnalytics(config.SECRET_ID, config.WA_BASE_URL)).client, pbx);
    } catch (error) {
      if (!(error instanceof UnknownPbxError)) throw error;
      logger.error(`control message refused: ${error.message}`, { messageId: record.messageId });
      metrics.addMetric(METRICS.messagesRejected, MetricUnit.Count, 1);
      return;
    }
  }
  // The sender's id (walake rerun / backfill set it), else SQS's: a redelivery or a duplicate carries the same.
  const id = record.messageAttributes[CONTROL_ID_ATTRIBUTE]?.stringValue ?? record.messageId;
  const deadlineMs = clock.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
  let outcome: Awaited<ReturnType<typeof planRerunOnce>>;
  try {
    outcome = await planRerunOnce(ports, await currentPlan(), parsed.rerun, { id, deadlineMs });
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    logger.error(`control message refused: ${error.message}`, { messageId: record.messageId });
    metrics.addMetric(METRICS.messagesRejected, MetricUnit.Count, 1);
    return;
  }
  if (outcome.kind === 'duplicate') {
    logger.warn('control message already handled: nothing started again', {
      id,
      firstSeenAt: outcome.firstSeenAt,
    });
    return;
  }
  metrics.addMetric(METRICS.chainsStarted, MetricUnit.Count, outcome.started.length);
  logger.info('rerun queued', { id, chains: outcome.started.length, resumedAt: outcome.resumedAt });
}

export const handler = middy<
  ScheduledEvent | ScheduledInput | SQSEvent,
  SQSBatchResponse | { chains: number }
>()
  .use(tracer.handlerMiddleware())
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(async (event, context) => {
    if (!('Records' in event)) return onSchedule(event);
    // A processor per invocation: it holds the batch's state, which must never be shared between invocations.
    return processPartialResponse(
      event,
      (record: SQSRecord) => onControlMessage(record, context),
      new BatchProcessor(EventType.SQS),
      { context, throwOnFullBatchFailure: false },
    );
  });
