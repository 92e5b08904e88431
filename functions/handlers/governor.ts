import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import {
  queueBacklog,
  readMapping,
  retryMinutes,
  setMappingConcurrency,
} from '../adapters/lane-concurrency.js';
import { type GovernorPorts, governLanes, type LaneReading } from '../core/concurrency-governor.js';
import { GovernorConfigSchema, METRICS, parseConfig } from './config.js';

/**
 * The concurrency governor: once a minute (an EventBridge rule), each lane's event source maximum concurrency
 * follows the 8x8 API's answers (core/concurrency-governor.ts). Its own small function, so the worker's bundle
 * and role stay as they are: only the governor may change the event sources.
 */
const config = parseConfig(GovernorConfigSchema, process.env);
const logger = new Logger({ serviceName: config.POWERTOOLS_SERVICE_NAME });
const lambda = new LambdaClient({});
const sqs = new SQSClient({});
const cloudwatch = new CloudWatchClient({});
/** The container's clock; tests replace `now`. */
export const clock = { now: () => Date.now() };

const lanes = {
  live: { mapping: config.LIVE_MAPPING_ID, queue: config.PAGE_QUEUE_URL, cap: config.MAX_CONCURRENCY },
  backfill: {
    mapping: config.BACKFILL_MAPPING_ID,
    queue: config.BACKFILL_QUEUE_URL,
    cap: config.BACKFILL_CONCURRENCY,
  },
};

const ports: GovernorPorts = {
  async readLane(lane) {
    const { mapping, queue, cap } = lanes[lane];
    const [found, backlog] = await Promise.all([readMapping(lambda, mapping), queueBacklog(sqs, queue)]);
    if (found.state !== 'Enabled') return { skip: `its event source is ${found.state}` };
    const reading: LaneReading = {
      lane,
      current: found.current ?? cap,
      cap,
      changedAtMs: found.changedAtMs,
      backlog,
    };
    return reading;
  },
  retryMinutes: (fromMs, toMs) =>
    retryMinutes(
      cloudwatch,
      {
        namespace: config.POWERTOOLS_METRICS_NAMESPACE,
        service: config.POWERTOOLS_SERVICE_NAME,
        metricName: METRICS.apiRetries,
      },
      fromMs,
      toMs,
    ),
  setLane: (lane, maximum) => setMappingConcurrency(lambda, lanes[lane].mapping, maximum),
};

export const handler = middy()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const outcomes = await governLanes(ports, ['live', 'backfill'], {
      nowMs: clock.now(),
      adaptive: config.ADAPTIVE_CONCURRENCY,
    });
    for (const outcome of outcomes)
      if ('skipped' in outcome) logger.info('lane left alone', { ...outcome });
      else if (outcome.applied === 'none') logger.debug('lane holds', { ...outcome });
      else logger.info(`lane concurrency ${outcome.from} -> ${outcome.to}`, { ...outcome });
    return outcomes;
  });
