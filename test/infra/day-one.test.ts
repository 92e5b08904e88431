import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../functions/handlers/config.js';
import { decideFirstDay, FIRST_DAY_CODE, needsLedger } from '../../infra/constructs/first-day.js';
import { RETENTION_DAYS } from '../../infra/constructs/lake-buckets.js';
import { repoRoot } from '../../infra/paths.js';
import { motoClientConfig, motoEndpoint } from '../support/moto.js';
import { permissionsOf, render, resourceNamed, resourcesOf } from './cfn.js';
import { type SynthesizedLake, synthLake } from './synth.js';

/**
 * What the first weeks on AWS rely on: a backfill lane that keeps its tasks as long as SQS can and says so
 * before they expire, log groups the runbook can name, prefixes that do not grow for ever, and the capacity,
 * cost and encryption options. Configuration only, so these synthesize without bundling.
 */
let lake: SynthesizedLake;
const id = (construct: { node: { defaultChild?: unknown } }, of = lake) =>
  of.stack.getLogicalId(construct.node.defaultChild as CfnElement);
const alarm = (suffix: string, of = lake) =>
  resourcesOf(of.template, 'AWS::CloudWatch::Alarm')
    .map(([, a]) => a.Properties ?? {})
    .find((a) => a.AlarmName === `WorkAnalyticsLake-${suffix}`);

beforeAll(() => {
  lake = synthLake({}, { bundle: false });
});

describe('the backfill lane', () => {
  it('keeps its tasks the 14-day maximum, not SQS default of 4 days, while the live lane keeps the default', () => {
    const props = (q: { node: { defaultChild?: unknown } }) =>
      lake.template.toJSON().Resources[id(q)].Properties as Record<string, unknown>;
    expect(props(lake.stack.backfillQueue.queue).MessageRetentionPeriod).toBe(14 * 86_400);
    expect(props(lake.stack.pageQueue.queue).MessageRetentionPeriod).toBeUndefined();
  });

  it('raises BackfillQueueStalled when its oldest task has waited 7 days, half the retention', () => {
    expect(alarm('BackfillQueueStalled')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [id(lake.stack.backfillQueue.queue), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: 7 * 86_400,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('log groups', () => {
  it('are named from the stack, logged to by their function, and published as outputs', () => {
    const outputs = lake.template.toJSON().Outputs;
    for (const [fn, name, output] of [
      [lake.stack.planner, '/WorkAnalyticsLake/planner', 'PlannerLogGroupName'],
      [lake.stack.worker, '/WorkAnalyticsLake/worker', 'WorkerLogGroupName'],
    ] as const) {
      lake.template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: name, RetentionInDays: 90 });
      lake.template.hasResourceProperties('AWS::Lambda::Function', {
        LoggingConfig: { LogGroup: { Ref: id(fn.logGroup) } },
      });
      expect(outputs[output].Value).toEqual({ Ref: id(fn.logGroup) });
    }
  });

  it('differ between two stacks in one account', () => {
    const dev = synthLake({ stackName: 'WorkAnalyticsLake-dev' }, { bundle: false });
    dev.template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/WorkAnalyticsLake-dev/worker',
    });
  });
});

describe('lifecycle of the data bucket', () => {
  it('expires quarantined rows and control markers, with the documented retention', () => {
    const [, data] = resourceNamed(lake.template, 'AWS::S3::Bucket', 'Data');
    const rules = (data.Properties as { LifecycleConfiguration: { Rules: Record<string, unknown>[] } })
      .LifecycleConfiguration.Rules;
    const rule = (prefix: string) => rules.find((r) => r.Prefix === prefix);
    expect(rule('quarantine/')).toMatchObject({
      Status: 'Enabled',
      ExpirationInDays: RETENTION_DAYS.quarantine,
      NoncurrentVersionExpiration: { NoncurrentDays: 1 },
    });
    expect(rule('control/')).toMatchObject({ Status: 'Enabled', ExpirationInDays: RETENTION_DAYS.control });
    expect(RETENTION_DAYS).toEqual({ staging: 7, quarantine: 90, control: 30, noncurrent: 30 });
    // A control marker outlives its message: the control queue's 4 days, then its DLQ's 14.
    expect(RETENTION_DAYS.control).toBeGreaterThan(4 + 14);
  });
});

describe('capacity and cost options', () => {
  it('reserve no concurrency by default, and the reservedConcurrency context for the worker', () => {
    const fnProps = (of: SynthesizedLake, fn: 'planner' | 'worker') =>
      of.template.toJSON().Resources[id(of.stack[fn].fn, of)].Properties as Record<string, unknown>;
    expect(fnProps(lake, 'worker').ReservedConcurrentExecutions).toBeUndefined();
    const reserved = synthLake({ reservedConcurrency: 20 }, { bundle: false });
    expect(fnProps(reserved, 'worker').ReservedConcurrentExecutions).toBe(20);
    expect(fnProps(reserved, 'planner').ReservedConcurrentExecutions).toBeUndefined();
  });

  it('alarm on retried 8x8 requests above apiRetriesPerHour (100 by default)', () => {
    const expected = (threshold: number) => ({
      Namespace: 'WorkAnalyticsLake',
      MetricName: METRICS.apiRetries,
      Dimensions: [{ Name: 'service', Value: 'work-analytics-lake' }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm('ApiRetries')).toMatchObject(expected(100));
    const tuned = synthLake({ apiRetriesPerHour: '500' }, { bundle: false });
    expect(alarm('ApiRetries', tuned)).toMatchObject(expected(500));
  });

  it("delete the alarm topic's key with the stack (7 days pending), or keep it with alarmKeyRemovalPolicy", () => {
    const key = (of: SynthesizedLake) => resourceNamed(of.template, 'AWS::KMS::Key', 'AlarmsTopicKey')[1];
    expect(key(lake)).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: { PendingWindowInDays: 7, EnableKeyRotation: true },
    });
    expect(key(synthLake({ alarmKeyRemovalPolicy: 'retain' }, { bundle: false })).DeletionPolicy).toBe(
      'Retain',
    );
  });
});

describe('dataEncryption', () => {
  it('is SSE-S3 by default, with no key of its own', () => {
    expect(resourcesOf(lake.template, 'AWS::KMS::Key').map(([name]) => name)).toEqual([
      expect.stringMatching(/^AlarmsTopicKey/),
    ]);
    expect(lake.template.toJSON().Outputs.DataKeyArn).toBeUndefined();
  });

  it('sse-kms encrypts the data and the query results with a kept, rotated key both functions may use', () => {
    const kmsLake = synthLake({ dataEncryption: 'sse-kms' }, { bundle: false });
    const [keyId, key] = resourceNamed(kmsLake.template, 'AWS::KMS::Key', 'DataKey');
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    const sse = {
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
          },
        },
      ],
    };
    for (const bucket of ['Data', 'AthenaResults']) {
      expect(
        resourceNamed(kmsLake.template, 'AWS::S3::Bucket', bucket)[1].Properties?.BucketEncryption,
      ).toEqual(sse);
    }
    // S3 server access logs can only be delivered to an SSE-S3 bucket.
    expect(
      resourceNamed(kmsLake.template, 'AWS::S3::Bucket', 'AccessLogs')[1].Properties?.BucketEncryption,
    ).toMatchObject({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    kmsLake.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        ResultConfiguration: Match.objectLike({
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        }),
      }),
    });
    for (const fn of [kmsLake.stack.planner, kmsLake.stack.worker]) {
      const grants = permissionsOf(kmsLake.template, id(fn.role, kmsLake))
        .filter((g) => g.resource === `<${keyId}.Arn>`)
        .map((g) => g.action)
        .sort();
      expect(grants).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    }
    expect(kmsLake.template.toJSON().Outputs.DataKeyArn.Value).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });
});

describe('the first day of the Athena tables', () => {
  const created = Date.parse('2026-12-04T20:00:00Z');
  const props = (FirstDay = '') => ({ FirstDay, HistoryDays: '730' });

  it.each([
    ['a new stack: the first day the API still serves', 'Create', undefined, '', '2024-12-04'],
    ['a new stack with firstDay given', 'Create', undefined, '2026-01-01', '2026-01-01'],
    [
      'an update without firstDay: the day decided at creation stays',
      'Update',
      '2024-12-04',
      '',
      '2024-12-04',
    ],
    ['an update with the same firstDay', 'Update', '2026-01-01', '2026-01-01', '2026-01-01'],
    ['an update to another firstDay', 'Update', '2024-12-04', '2025-06-01', '2025-06-01'],
    ['a delete: the day as it was', 'Delete', '2024-12-04', '', '2024-12-04'],
  ] as const)('decides %s', (_what, RequestType, PhysicalResourceId, given, day) => {
    // An update runs a year later: the default must not move on with the clock.
    const nowMs = RequestType === 'Create' ? created : created + 365 * 86_400_000;
    const request = { RequestType, PhysicalResourceId, ResourceProperties: props(given) };
    expect(decideFirstDay(request, nowMs)).toBe(day);
    // Only a creation without a day given reads the ledger.
    expect(needsLedger(request)).toBe(RequestType === 'Create' && given === '');
  });

  it.each([
    [
      'a lake older than the API serves (a stack upgraded to this resource): its first day',
      '2024-06-30',
      '2024-06-30',
    ],
    ['a younger lake: the first day the API serves, for the backfill to come', '2026-11-01', '2024-12-04'],
    ['an empty ledger: the first day the API serves', undefined, '2024-12-04'],
  ])('starts at the ledger of %s', (_what, ledgerDay, day) => {
    const request = { RequestType: 'Create' as const, ResourceProperties: props() };
    expect(decideFirstDay(request, created, ledgerDay)).toBe(day);
  });

  /** Runs the inline code as Lambda would, from a folder that resolves the AWS SDK as the runtime does. */
  async function runInline(properties: Record<string, unknown>): Promise<Record<string, unknown>> {
    const cache = join(repoRoot(), 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'walake-first-day-'));
    const file = join(dir, 'index.cjs');
    writeFileSync(file, FIRST_DAY_CODE);
    let answer = '';
    const server = createServer((req, res) => {
      req.on('data', (chunk: Buffer) => {
        answer += chunk.toString();
      });
      req.on('end', () => res.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const handler = createRequire(import.meta.url)(file).handler as (event: unknown) => Promise<void>;
      await handler({
        RequestType: 'Create',
        ResourceProperties: properties,
        ResponseURL: `http://127.0.0.1:${port}/answer?X-Amz-Signature=x`,
        StackId: 'stack',
        RequestId: 'request',
        LogicalResourceId: 'FirstDay',
      });
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return JSON.parse(answer) as Record<string, unknown>;
  }

  it('answers CloudFormation with the day as the physical id and as data, from the inline code', async () => {
    expect(await runInline(props('2025-03-01'))).toEqual({
      Status: 'SUCCESS',
      Reason: 'first day decided',
      PhysicalResourceId: '2025-03-01',
      StackId: 'stack',
      RequestId: 'request',
      LogicalResourceId: 'FirstDay',
      Data: { FirstDay: '2025-03-01' },
    });
    // CloudFormation's ZipFile holds at most 4 KB of inline code.
    expect(FIRST_DAY_CODE.length).toBeLessThan(4096);
  });

  it("reads the first day of a lake made before from its ledger's keys in S3", async () => {
    const s3 = new S3Client(motoClientConfig());
    const Bucket = `walake-first-day-${Math.floor(Math.random() * 1e9)}`;
    await s3.send(new CreateBucketCommand({ Bucket }));
    for (const Key of [
      'ledger/call_legs/dt=2020-03-02/20200302T0000Z-60m.json',
      'ledger/call_legs/dt=2021-01-01/20210101T0000Z-60m.json',
      'ledger/call_records/dt=2020-02-17/20200217T0100Z-60m.json',
      // Another prefix: not the ledger.
      'lake/call_legs/dt=2019-01-01/20190101T0000Z-60m.json.gz',
    ])
      await s3.send(new PutObjectCommand({ Bucket, Key, Body: '{}' }));
    const env = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: motoEndpoint(),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
    try {
      const answer = await runInline({
        ...props(),
        Bucket,
        LedgerPrefixes: ['ledger/call_legs/', 'ledger/call_records/'],
      });
      // Older than any day the API still serves: the lake's own first day wins.
      expect(answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: '2020-02-17' });
    } finally {
      process.env = env;
    }
  });

  it('starts the projection, the planner and the FirstDay output at the decided day, not at 2020', () => {
    const [resourceId, resource] = resourceNamed(lake.template, 'Custom::WalakeFirstDay', 'LakeFirstDay');
    expect(resource.Properties).toMatchObject({
      FirstDay: '',
      HistoryDays: '730',
      Bucket: { Ref: id(lake.stack.dataBucket) },
      LedgerPrefixes: ['ledger/call_legs/', 'ledger/call_records/'],
    });
    // It may list the ledger's keys, and nothing else of the lake.
    const [roleId] = resourceNamed(lake.template, 'AWS::IAM::Role', 'LakeFirstDayRole');
    const s3Grants = permissionsOf(lake.template, roleId).filter((g) => g.action.startsWith('s3:'));
    expect(s3Grants).toEqual([{ action: 's3:ListBucket', resource: `<${id(lake.stack.dataBucket)}.Arn>` }]);
    for (const [, table] of resourcesOf(lake.template, 'AWS::Glue::Table')) {
      const input = (
        table.Properties as { TableInput: { TableType?: string; Parameters: Record<string, unknown> } }
      ).TableInput;
      if (input.TableType !== 'EXTERNAL_TABLE') continue;
      expect(render(input.Parameters['projection.dt.range'])).toBe(`<${resourceId}>,NOW`);
    }
    const env = lake.template.toJSON().Resources[id(lake.stack.planner.fn)].Properties.Environment.Variables;
    expect(env.FIRST_DAY).toEqual({ Ref: resourceId });
    expect(lake.template.toJSON().Outputs.FirstDay.Value).toEqual({ Ref: resourceId });
    const given = synthLake({ firstDay: '2025-01-01' }, { bundle: false });
    expect(
      resourceNamed(given.template, 'Custom::WalakeFirstDay', 'LakeFirstDay')[1].Properties?.FirstDay,
    ).toBe('2025-01-01');
  });
});
