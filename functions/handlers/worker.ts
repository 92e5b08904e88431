import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { S3ObjectStore } from '../adapters/s3-store.js';
import { SqsTaskQueue } from '../adapters/sqs-queue.js';
import { isPermanent, messageOf } from '../core/errors.js';
import { type OutcomeTally, publishedOf, tallyOf } from '../core/outcome-tally.js';
import { type PageTask, parsePageTask } from '../core/page-task.js';
import { failWindow, processTask, type TaskOutcome } from '../core/process-task.js';
import { METRICS, parseConfig, WorkerConfigSchema } from './config.js';
import { clock, forgetConnectionOn, logger, metrics, s3, sqs, tracer, workAnalytics } from './runtime.js';

const config = parseConfig(WorkerConfigSchema, process.env);
const store = new S3ObjectStore(s3, config.DATA_BUCKET);
const queue = new SqsTaskQueue(sqs, { live: config.PAGE_QUEUE_URL, backfill: config.BACKFILL_QUEUE_URL });
/** Time kept back from the Lambda's remaining time: enough to stage, queue and report the batch. */
const SAFETY_MS = 15_000;

async function processRecord(record: SQSRecord, context: Context): Promise<void> {
  const parsed = parsePageTask(record.body);
  if (!parsed.ok) {
    // A malformed task cannot succeed on redelivery: drop it with a reason instead of looping to the DLQ.
    logger.error(parsed.error, { messageId: record.messageId });
    metrics.addMetric(METRICS.messagesRejected, MetricUnit.Count, 1);
    return;
  }
  const task = parsed.task;
  const { client } = await workAnalytics(config.SECRET_ID, config.WA_BASE_URL);
  const deadlineMs = clock.now() + context.getRemainingTimeInMillis() - SAFETY_MS;
  const ports = { source: client, store, queue, clock };
  try {
    report(
      task,
      await processTask(task, ports, {
        settleMinutes: config.SETTLE_MINUTES,
        removeStaging: false,
        deadlineMs,
        maxRestarts: config.MAX_RESTARTS,
      }),
    );
  } catch (error) {
    await onFailure(task, record, error);
  }
}

/**
 * A task that threw. Refused credentials are retried (the secret may be fixed meanwhile). A permanent error
 * fails the window now, with the reason, and consumes the message: a retry would fail the same way. A
 * transient one is retried; on the queue's last delivery the window is failed too, and the message goes to
 * the DLQ, from which a redrive resumes the window.
 */
async function onFailure(task: PageTask, record: SQSRecord, error: unknown): Promise<void> {
  metrics.addMetric(METRICS.recordsFailed, MetricUnit.Count, 1);
  const credentials = forgetConnectionOn(error);
  const lastDelivery = Number(record.attributes.ApproximateReceiveCount) >= config.MAX_RECEIVES;
  const final = !credentials && isPermanent(error);
  if (final || (lastDelivery && !credentials)) {
    const failed = await failWindow(task, messageOf(error), { store, clock });
    if (failed) metrics.addMetric(METRICS.windowsFailed, MetricUnit.Count, 1);
    const why = final ? 'window failed: permanent error' : 'window failed: last delivery';
    logger.error(why, { task, error });
    if (final) return;
    throw error;
  }
  logger.error('page task failed; it is retried, then dead-lettered', { task, error });
  throw error;
}

/** The metric of each count of an outcome: the compiler checks that every count has one. */
const METRIC_OF: Record<keyof OutcomeTally, string> = METRICS;

/** Metrics of an outcome (counted once, as `walake run` counts them) and the log lines that explain them. */
function report(task: PageTask, outcome: TaskOutcome): void {
  for (const [name, value] of Object.entries(tallyOf(outcome)))
    if (value > 0) metrics.addMetric(METRIC_OF[name as keyof OutcomeTally], MetricUnit.Count, value);
  const where = { table: task.table, window: task.window, page: task.page, chain: task.chain };
  if (outcome.kind === 'restarted' || outcome.kind === 'superseded') {
    logger.warn(`chain ${outcome.kind}`, { ...where, outcome });
    return;
  }
  if (outcome.kind === 'failed') {
    logger.error('window failed', { ...where, reason: outcome.reason });
    return;
  }
  if (outcome.driftFields.length > 0)
    logger.warn('fields the docs never listed, kept in "extra"', { ...where, fields: outcome.driftFields });
  if (outcome.mismatched > 0)
    logger.warn('values that did not fit their column, kept in "extra"', {
      ...where,
      rows: outcome.mismatched,
    });
  if (outcome.quarantined > 0)
    logger.error('rows outside the window on the configured filter field, quarantined', {
      ...where,
      rows: outcome.quarantined,
    });
  const published = publishedOf(outcome);
  if (published) {
    const { rows, pages, reconciliation } = published;
    logger.info('window published', { ...where, rows, pages, reconciliation });
  }
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  // A processor per invocation: it holds the batch's state, which must never be shared between invocations.
  .handler(async (event, context) =>
    processPartialResponse(
      event,
      (record: SQSRecord) => processRecord(record, context),
      new SqsFifoPartialProcessorAsync(),
      {
        context,
        skipGroupOnError: true,
        throwOnFullBatchFailure: false,
      },
    ),
  );
