import { type CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetEventSourceMappingCommand,
  type LambdaClient,
  ResourceInUseException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RetryMinute } from '../core/concurrency-governor.js';

/** An event source mapping's maximum concurrency, and when it last changed. */
export interface MappingConcurrency {
  readonly current: number | undefined;
  readonly changedAtMs: number;
  /** `Enabled`, `Updating`…: a mapping that is not `Enabled` is left alone this minute. */
  readonly state: string;
}

/** Reads an SQS event source mapping's maximum concurrency (`ScalingConfig.MaximumConcurrency`). */
export async function readMapping(lambda: LambdaClient, uuid: string): Promise<MappingConcurrency> {
  const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
  const changed = mapping.LastModified;
  if (!(changed instanceof Date) || Number.isNaN(changed.getTime()))
    throw new Error(`event source mapping ${uuid} has no LastModified: cannot tell when it last changed`);
  return {
    current: mapping.ScalingConfig?.MaximumConcurrency,
    changedAtMs: changed.getTime(),
    state: mapping.State ?? 'unknown',
  };
}

/**
 * Sets the mapping's maximum concurrency. `busy` when Lambda is still applying an earlier change (its
 * ResourceInUseException): the next minute reads the mapping again.
 */
export async function setMappingConcurrency(
  lambda: LambdaClient,
  uuid: string,
  maximum: number,
): Promise<'set' | 'busy'> {
  try {
    await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, ScalingConfig: { MaximumConcurrency: maximum } }),
    );
    return 'set';
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'busy';
    throw error;
  }
}

/** Messages waiting in a queue (visible, not yet received by the event source). */
export async function queueBacklog(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const value = Number(Attributes?.ApproximateNumberOfMessages);
  if (!Number.isFinite(value)) throw new Error(`queue ${queueUrl} reported no ApproximateNumberOfMessages`);
  return value;
}

export interface RetryMetric {
  readonly namespace: string;
  /** The `service` dimension Powertools metrics carry. */
  readonly service: string;
  readonly metricName: string;
}

/** The metric's sum minute by minute over [fromMs, toMs): one entry per minute that has a datapoint. */
export async function retryMinutes(
  cloudwatch: CloudWatchClient,
  metric: RetryMetric,
  fromMs: number,
  toMs: number,
): Promise<RetryMinute[]> {
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(fromMs),
      EndTime: new Date(toMs),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        {
          Id: 'retries',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: metric.namespace,
              MetricName: metric.metricName,
              Dimensions: [{ Name: 'service', Value: metric.service }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    }),
  );
  const result = out.MetricDataResults?.find((r) => r.Id === 'retries');
  const times = result?.Timestamps ?? [];
  const values = result?.Values ?? [];
  if (times.length !== values.length)
    throw new Error(`GetMetricData answered ${times.length} timestamps for ${values.length} values`);
  return times.map((t, i) => ({ atMs: t.getTime(), retries: values[i] ?? 0 }));
}
