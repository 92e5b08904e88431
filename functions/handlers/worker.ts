import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { S3ObjectStore } from '../adapters/s3-store.js';
import { SqsTaskQueue } from '../adapters/sqs-queue.js';
import { failureAction, messageOf } from '../core/errors.js';
import { type PageTask, parsePageTask } from '../core/page-task.js';
import { failWindow, processTask } from '../core/process-task.js';
import { METRICS, parseConfig, WorkerConfigSchema } from './config.js';
import { reportOutcome } from './outcome-report.js';
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
    reportOutcome(
      logger,
      metrics,
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

/** A task that threw: the failure policy (`failureAction`) says whether its window fails and whether it retries. */
async function onFailure(task: PageTask, record: SQSRecord, error: unknown): Promise<void> {
  metrics.addMetric(METRICS.recordsFailed, MetricUnit.Count, 1);
  const action = failureAction(error, {
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
    maxReceives: config.MAX_RECEIVES,
    credentialsRefused: forgetConnectionOn(error),
  });
  if (action.failWindow && (await failWindow(task, messageOf(error), { store, clock })))
    metrics.addMetric(METRICS.windowsFailed, MetricUnit.Count, 1);
  const what = action.failWindow ? 'window failed' : 'page task failed';
  const then = action.retry ? 'retried, then dead-lettered' : 'permanent: not retried';
  logger.error(`${what}; ${then}`, { task, error });
  if (action.retry) throw error;
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(tracer.handlerMiddleware())
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
