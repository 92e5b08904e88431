import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetEventSourceMappingCommand,
  LambdaClient,
  ResourceInUseException,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEnv, createAwsEnv } from '../support/aws-env.js';
import { motoClientConfig } from '../support/moto.js';

/**
 * The concurrency governor's handler on moto (the queues' backlog, the workers' ApiRetries metric) with the
 * Lambda API mocked: moto keeps an event source's ScalingConfig at creation but does not update it.
 */
const MIN = 60_000;
const T0 = Date.UTC(2026, 5, 10, 14);
const lambda = mockClient(LambdaClient);
let aws: AwsEnv;
let governor: typeof import('../../functions/handlers/governor.js');
const namespace = `WalakeGovernorTest${T0}`;
/** Each mapping as Lambda would report it, and what the governor asked to change. */
let mappings: Record<string, { MaximumConcurrency: number; LastModified: Date; State: string }>;
let updates: Array<[string, number]>;

beforeAll(async () => {
  aws = await createAwsEnv({ apiKey: 'k', username: 'u', password: 'p' });
  Object.assign(process.env, {
    LIVE_MAPPING_ID: 'live-uuid',
    BACKFILL_MAPPING_ID: 'backfill-uuid',
    MAX_CONCURRENCY: '10',
    BACKFILL_CONCURRENCY: '8',
    POWERTOOLS_SERVICE_NAME: 'governor-test',
    POWERTOOLS_METRICS_NAMESPACE: namespace,
  });
  // A backlog on the backfill lane; the live lane is empty.
  for (let batch = 0; batch < 3; batch++)
    await aws.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: aws.backfillQueue.url,
        Entries: Array.from({ length: 10 }, (_, i) => ({
          Id: `m${i}`,
          MessageBody: '{}',
          MessageGroupId: `chain-${batch}-${i}`,
          MessageDeduplicationId: `d-${batch}-${i}`,
        })),
      }),
    );
  governor = await import('../../functions/handlers/governor.js');
});

afterAll(() => lambda.restore());

beforeEach(() => {
  lambda.reset();
  updates = [];
  mappings = {
    'live-uuid': { MaximumConcurrency: 10, LastModified: new Date(T0 - 30 * MIN), State: 'Enabled' },
    'backfill-uuid': { MaximumConcurrency: 5, LastModified: new Date(T0), State: 'Enabled' },
  };
  lambda.on(GetEventSourceMappingCommand).callsFake(({ UUID }) => {
    const m = mappings[UUID];
    return {
      UUID,
      State: m?.State,
      LastModified: m?.LastModified,
      ScalingConfig: { MaximumConcurrency: m?.MaximumConcurrency },
    };
  });
  lambda.on(UpdateEventSourceMappingCommand).callsFake(({ UUID, ScalingConfig }) => {
    updates.push([UUID, ScalingConfig.MaximumConcurrency]);
    return { UUID };
  });
});

async function retries(atMs: number, value: number): Promise<void> {
  await new CloudWatchClient(motoClientConfig()).send(
    new PutMetricDataCommand({
      Namespace: namespace,
      MetricData: [
        {
          MetricName: 'ApiRetries',
          Dimensions: [{ Name: 'service', Value: 'governor-test' }],
          Timestamp: new Date(atMs),
          Value: value,
          Unit: 'Count',
        },
      ],
    }),
  );
}

const run = (nowMs: number) => {
  governor.clock.now = () => nowMs;
  return governor.handler({}, { getRemainingTimeInMillis: () => 30_000 } as never);
};

describe('the governor handler', () => {
  it('raises the backfill lane after clean minutes while its messages wait, and leaves the idle live lane', async () => {
    const outcomes = await run(T0 + 3 * MIN);
    // Two whole minutes reported since the change at T0 (14:00 and 14:01; 14:02 may not be in CloudWatch yet).
    expect(updates).toEqual([['backfill-uuid', 7]]);
    expect(outcomes).toMatchObject([
      { lane: 'live', action: 'hold', applied: 'none' },
      { lane: 'backfill', action: 'raise', from: 5, to: 7, applied: 'set' },
    ]);
  });

  it('halves both lanes after a minute of retries read from CloudWatch', async () => {
    await retries(T0 + 10 * MIN + 5_000, 3);
    mappings['backfill-uuid'] = {
      MaximumConcurrency: 8,
      LastModified: new Date(T0 + 9 * MIN),
      State: 'Enabled',
    };
    await run(T0 + 12 * MIN);
    expect(updates).toEqual([
      ['live-uuid', 5],
      ['backfill-uuid', 4],
    ]);
  });

  it('leaves an updating event source alone, and takes a change Lambda is still applying as busy', async () => {
    mappings['live-uuid'] = { MaximumConcurrency: 10, LastModified: new Date(T0), State: 'Updating' };
    lambda
      .on(UpdateEventSourceMappingCommand)
      .rejects(new ResourceInUseException({ message: 'in use', $metadata: {} }));
    const outcomes = await run(T0 + 3 * MIN);
    expect(outcomes).toMatchObject([
      { lane: 'live', skipped: 'its event source is Updating' },
      { lane: 'backfill', action: 'raise', applied: 'busy' },
    ]);
  });
});
