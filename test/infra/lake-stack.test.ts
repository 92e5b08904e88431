import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { STACK_OUTPUT_NAMES } from '../../functions/adapters/stack-outputs.js';
import { publishBudgetMs } from '../../functions/core/process-task.js';
import { glueColumns } from '../../functions/core/record-schema.js';
import { TABLES, tableFolder } from '../../functions/core/tables.js';
import { METRICS, PlannerConfigSchema, WorkerConfigSchema } from '../../functions/handlers/config.js';
import { parseLakeConfig } from '../../infra/config.js';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/pipeline-function.js';
import { createLakeStack } from '../../infra/stacks/lake-stack.js';
import { pageAgeThreshold, workerTimeout } from '../../infra/stacks/timing.js';
import {
  type CfnResource,
  deniesInsecureTransport,
  permissionsOf,
  render,
  resourceNamed,
  resourcesOf,
} from './cfn.js';
import { cdkJsonContext, type SynthesizedLake, sharedLake, synthLake } from './synth.js';

let lake: SynthesizedLake;
interface GlueColumn {
  Name: string;
  Type: string;
}
const id = (construct: { node: { defaultChild?: unknown } }) =>
  lake.stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  lake = sharedLake();
});

describe('buckets', () => {
  it('block public access, encrypt, refuse plain HTTP and are kept when the stack is deleted', () => {
    const buckets = resourcesOf(lake.template, 'AWS::S3::Bucket');
    expect(buckets.map(([name]) => name.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'AccessLogs',
      'AthenaResults',
      'Data',
    ]);
    for (const [name, bucket] of buckets) {
      expect(bucket.DeletionPolicy, name).toBe('Retain');
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      });
      const [, policy] = resourcesOf(lake.template, 'AWS::S3::BucketPolicy').find(
        ([, p]) => render(p.Properties?.Bucket) === `<${name}>`,
      ) ?? [undefined, undefined];
      expect(deniesInsecureTransport(policy?.Properties?.PolicyDocument), `${name} TLS-only`).toBe(true);
      expect(bucket.Properties?.LifecycleConfiguration, `${name} lifecycle`).toBeDefined();
    }
  });

  it('version the lake, expire staging and old versions, and log access to the log bucket', () => {
    const logs = id(lake.stack.node.findChild('AccessLogs'));
    lake.template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'data/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'staging/',
            ExpirationInDays: 7,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
            Status: 'Enabled',
          }),
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          }),
        ]),
      },
    });
    lake.template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'athena-results/' },
    });
    const [, logBucket] = resourceNamed(lake.template, 'AWS::S3::Bucket', 'AccessLogs');
    expect(logBucket.Properties?.LoggingConfiguration).toBeUndefined();
  });
});

describe('queues', () => {
  it('are encrypted and TLS-only, each with a dead-letter queue kept 14 days after 5 receives', () => {
    const queues = resourcesOf(lake.template, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(6);
    const policies = resourcesOf(lake.template, 'AWS::SQS::QueuePolicy');
    for (const [name, queue] of queues) {
      expect(queue.Properties?.SqsManagedSseEnabled, name).toBe(true);
      const policy = policies.find(([, p]) =>
        ((p.Properties?.Queues ?? []) as unknown[]).some((q) => render(q) === `<${name}>`),
      );
      expect(deniesInsecureTransport(policy?.[1].Properties?.PolicyDocument), `${name} TLS-only`).toBe(true);
      const redrive = queue.Properties?.RedrivePolicy as {
        deadLetterTargetArn: unknown;
        maxReceiveCount: number;
      };
      if (name.includes('Dlq')) {
        expect(queue.Properties?.MessageRetentionPeriod, name).toBe(14 * 24 * 3600);
        expect(redrive, name).toBeUndefined();
      } else {
        expect(redrive.maxReceiveCount, name).toBeGreaterThanOrEqual(5);
        expect(render(redrive.deadLetterTargetArn)).toMatch(
          new RegExp(`^<${name.replace(/[0-9A-F]{8}$/, '')}Dlq`),
        );
      }
    }
  });

  it('make the page queue and its DLQ FIFO, with deduplication left to the worker', () => {
    const queue = (q: { node: { defaultChild?: unknown } }) =>
      lake.template.toJSON().Resources[id(q)].Properties;
    expect(queue(lake.stack.pageQueue.queue)).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: false,
    });
    expect(queue(lake.stack.pageQueue.dlq)).toMatchObject({ FifoQueue: true });
    expect(queue(lake.stack.controlQueue.queue).FifoQueue).toBeUndefined();
    expect(queue(lake.stack.controlQueue.dlq).FifoQueue).toBeUndefined();
  });

  it.each([
    [60, 120],
    [240, 120],
    [1440, 200],
  ])('give the worker time to publish a busy window of a %i-minute grid: %i s', (gridMinutes, seconds) => {
    expect(workerTimeout(gridMinutes).toSeconds()).toBe(seconds);
    expect(workerTimeout(gridMinutes).toSeconds() * 1000).toBeGreaterThan(
      publishBudgetMs((100_000 * gridMinutes) / 60),
    );
  });

  it('hide a message for at least 6 times its consumer timeout', () => {
    const mappings = resourcesOf(lake.template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(3);
    for (const [, mapping] of mappings) {
      const queueId = render(mapping.Properties?.EventSourceArn).replace(/^<|\.Arn>$/g, '');
      const fnId = render(mapping.Properties?.FunctionName).replace(/^<|>$/g, '');
      const queue = lake.template.toJSON().Resources[queueId] as CfnResource;
      const fn = lake.template.toJSON().Resources[fnId] as CfnResource;
      expect(fn.Properties?.Timeout).toBe(120);
      // AWS's recommendation for a Lambda event source, not the construct's constant: the test must be able to fail.
      expect(queue.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * (fn.Properties?.Timeout as number),
      );
    }
  });
});

describe('functions', () => {
  it('run Node.js 24 on arm64 with tracing, their own log group kept 3 months, and the documented memory', () => {
    for (const [fn, memory] of [
      [lake.stack.planner, 512],
      [lake.stack.worker, 1024],
    ] as const) {
      lake.template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: memory,
        Timeout: 120,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        LoggingConfig: { LogGroup: { Ref: id(fn.logGroup) } },
        Role: { 'Fn::GetAtt': [id(fn.role), 'Arn'] },
      });
      expect(lake.template.toJSON().Resources[id(fn.logGroup)].Properties.RetentionInDays).toBe(90);
    }
  });

  it('let only the worker loop through SQS past 16 hops', () => {
    const fns = lake.template.toJSON().Resources;
    expect(fns[id(lake.stack.worker.fn)].Properties.RecursiveLoop).toBe('Allow');
    expect(fns[id(lake.stack.planner.fn)].Properties.RecursiveLoop).toBeUndefined();
  });

  it('consume one message per invocation from each queue, with partial failures and capped concurrency', () => {
    lake.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(lake.stack.worker.fn) },
      EventSourceArn: { 'Fn::GetAtt': [id(lake.stack.pageQueue.queue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    // The backfill lane: its own queue and concurrency, so that reruns never wait in front of live windows.
    lake.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(lake.stack.worker.fn) },
      EventSourceArn: { 'Fn::GetAtt': [id(lake.stack.backfillQueue.queue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    lake.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(lake.stack.planner.fn) },
      EventSourceArn: { 'Fn::GetAtt': [id(lake.stack.controlQueue.queue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: Match.anyValue() },
    });
  });

  it('receive the environment the handlers parse', () => {
    const resources = lake.template.toJSON().Resources;
    const envOf = (fn: typeof lake.stack.worker) => resources[id(fn.fn)].Properties.Environment.Variables;
    const common = {
      DATA_BUCKET: { Ref: id(lake.stack.dataBucket) },
      PAGE_QUEUE_URL: { Ref: id(lake.stack.pageQueue.queue) },
      BACKFILL_QUEUE_URL: { Ref: id(lake.stack.backfillQueue.queue) },
      SECRET_ID: { Ref: Match.stringLikeRegexp('^ApiCredentialsSecret') },
      WA_BASE_URL: 'https://api.8x8.com/analytics/work',
      SETTLE_MINUTES: '120',
      POWERTOOLS_SERVICE_NAME: 'work-analytics-lake',
      POWERTOOLS_METRICS_NAMESPACE: 'WorkAnalyticsLake',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    expect(
      Match.exact({ ...common, MAX_RESTARTS: '3', MAX_RECEIVES: '5' }).test(envOf(lake.stack.worker))
        .isSuccess,
    ).toBe(true);
    expect(
      Match.exact({
        ...common,
        TABLES: 'call-legs,call-records',
        PBX_IDS: 'pbx-a,pbx-b',
        GRID_MINUTES: '60',
        PAGE_SIZE: '7000',
        HORIZON_DAYS: '2',
        STALE_AFTER_MINUTES: '120',
        MAX_RERUN_DAYS: '31',
        MAX_CHAINS_PER_RUN: '2000',
        IS_CONNECT_TIME: 'false',
        IS_SIMPLIFIED: 'false',
        END_ON_LAST_DATA_PAGE: 'true',
        LEGS_FILTER_FIELD: 'disconnectedTimeUTC',
        RECORDS_FILTER_FIELD: 'disconnectedTimeUTC',
        FIRST_DAY: { Ref: Match.stringLikeRegexp('^LakeFirstDay') },
      }).test(envOf(lake.stack.planner)).isSuccess,
    ).toBe(true);
  });

  it.each([
    ['planner', PlannerConfigSchema],
    ['worker', WorkerConfigSchema],
  ] as const)('set every variable the %s reads, and read every one they set', (name, schema) => {
    const resources = lake.template.toJSON().Resources;
    const set = Object.keys(resources[id(lake.stack[name].fn)].Properties.Environment.Variables);
    const runtime = [
      'POWERTOOLS_SERVICE_NAME',
      'POWERTOOLS_METRICS_NAMESPACE',
      'POWERTOOLS_LOG_LEVEL',
      'NODE_OPTIONS',
    ];
    expect(set.filter((v) => !runtime.includes(v)).sort()).toEqual(Object.keys(schema.shape).sort());
  });

  it('emit their metrics under the namespace and service the stack sets in their environment', async () => {
    const emitted = async (env: Record<string, string | undefined>) => {
      vi.resetModules();
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      try {
        const { metrics } = await import('../../functions/handlers/runtime.js');
        metrics.addMetric(METRICS.recordsFailed, 'Count', 1);
        const emf = metrics.serializeMetrics();
        metrics.clearMetrics();
        return { namespace: emf._aws.CloudWatchMetrics[0]?.Namespace, service: emf.service };
      } finally {
        vi.unstubAllEnvs();
      }
    };
    expect(
      await emitted({ POWERTOOLS_METRICS_NAMESPACE: 'Lake-dev', POWERTOOLS_SERVICE_NAME: 'lake-dev' }),
    ).toEqual({ namespace: 'Lake-dev', service: 'lake-dev' });
    expect(
      await emitted({ POWERTOOLS_METRICS_NAMESPACE: undefined, POWERTOOLS_SERVICE_NAME: undefined }),
    ).toEqual({ namespace: 'WorkAnalyticsLake', service: 'work-analytics-lake' });
  });

  it('are triggered by an EventBridge Scheduler schedule, one tick per grid period, retried twice', () => {
    const [, schedule] = resourceNamed(lake.template, 'AWS::Scheduler::Schedule', 'Schedule');
    expect(schedule.Properties).toMatchObject({
      ScheduleExpression: 'cron(0 * * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [id(lake.stack.planner.fn), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      },
    });
    // The tick's own time reaches the planner (core/schedule-tick.ts).
    const input = JSON.parse((schedule.Properties as { Target: { Input: string } }).Target.Input);
    expect(input).toEqual({ source: 'walake.schedule', scheduledTime: '<aws.scheduler.scheduled-time>' });
    // The one EventBridge rule runs the concurrency governor, not the planner.
    const rules = resourcesOf(lake.template, 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    expect(JSON.stringify(rules)).not.toContain(id(lake.stack.planner.fn));
  });
});

describe('IAM', () => {
  const can = (roleId: string, action: string, resource: string) =>
    permissionsOf(lake.template, roleId).some((g) => g.action === action && g.resource === resource);
  const objects = (prefix: string) => `<${id(lake.stack.dataBucket)}.Arn>/${prefix}*`;

  it('lets the worker write staging/, lake/ and ledger/, and delete only staging/', () => {
    const worker = id(lake.stack.worker.role);
    for (const prefix of ['staging/', 'lake/', 'ledger/'])
      expect(can(worker, 's3:PutObject', objects(prefix))).toBe(true);
    expect(can(worker, 's3:GetObject', objects('staging/'))).toBe(true);
    expect(can(worker, 's3:DeleteObject', objects('staging/'))).toBe(true);
    expect(can(worker, 's3:DeleteObject', objects('lake/'))).toBe(false);
    expect(can(worker, 'sqs:SendMessage', `<${id(lake.stack.pageQueue.queue)}.Arn>`)).toBe(true);
  });

  it('lets the planner read and write the ledger and control markers, and write no lake object but the manifest', () => {
    const planner = id(lake.stack.planner.role);
    const grants = permissionsOf(lake.template, planner);
    expect(can(planner, 's3:ListBucket', `<${id(lake.stack.dataBucket)}.Arn>`)).toBe(true);
    expect(can(planner, 's3:GetObject', objects('ledger/'))).toBe(true);
    expect(can(planner, 's3:PutObject', objects('ledger/'))).toBe(true);
    const s3Writes = grants.filter((g) => /^s3:(Put|Delete)/.test(g.action)).map((g) => g.resource);
    expect(new Set(s3Writes)).toEqual(
      new Set([objects('ledger/'), objects('lake/_manifest.json'), objects('control/')]),
    );
    expect(can(planner, 'sqs:SendMessage', `<${id(lake.stack.pageQueue.queue)}.Arn>`)).toBe(true);
    expect(can(planner, 'sqs:SendMessage', `<${id(lake.stack.backfillQueue.queue)}.Arn>`)).toBe(true);
  });

  it('grants no wildcard action and no bucket-wide object access', () => {
    for (const role of [lake.stack.planner.role, lake.stack.worker.role]) {
      for (const grant of permissionsOf(lake.template, id(role))) {
        expect(grant.action).not.toContain('*');
        expect(grant.resource).not.toBe(`<${id(lake.stack.dataBucket)}.Arn>/*`);
        if (grant.resource === '*') expect(grant.action).toMatch(/^xray:/);
      }
    }
  });

  it('grants nothing the functions never call: no DescribeSecret, no queue attributes, no stray multipart', () => {
    const worker = permissionsOf(lake.template, id(lake.stack.worker.role));
    const planner = permissionsOf(lake.template, id(lake.stack.planner.role));
    for (const grants of [worker, planner]) {
      expect(grants.map((g) => g.action)).not.toContain('secretsmanager:DescribeSecret');
    }
    // Sending needs only SendMessage (the worker's other page-queue actions are its event source's).
    expect(
      planner.filter((g) => g.resource === `<${id(lake.stack.pageQueue.queue)}.Arn>`).map((g) => g.action),
    ).toEqual(['sqs:SendMessage']);
    expect(worker.filter((g) => g.action === 's3:AbortMultipartUpload').map((g) => g.resource)).toEqual([
      objects('lake/'),
    ]);
    expect(planner.filter((g) => g.action === 's3:AbortMultipartUpload')).toEqual([]);
    expect(new Set(planner.filter((g) => g.action === 's3:GetObject').map((g) => g.resource))).toEqual(
      new Set([objects('ledger/'), objects('lake/_manifest.json'), objects('control/')]),
    );
  });

  it('lets both functions read the secret, which holds no value in the template', () => {
    const [secretId, secret] = resourceNamed(lake.template, 'AWS::SecretsManager::Secret', 'ApiCredentials');
    for (const role of [lake.stack.planner.role, lake.stack.worker.role]) {
      expect(can(id(role), 'secretsmanager:GetSecretValue', `<${secretId}>`)).toBe(true);
    }
    expect(secret.Properties?.GenerateSecretString).toEqual({});
    expect(JSON.stringify(lake.template.toJSON())).not.toContain('"SecretString"');
    expect(render(lake.template.toJSON().Outputs.SetSecretCommand.Value)).toMatch(
      new RegExp(
        `^aws secretsmanager put-secret-value --secret-id <${secretId}> --secret-string '\\{"apiKey"`,
      ),
    );
  });
});

describe('Glue and Athena', () => {
  it.each(TABLES)('declares %s from the record schema, partitioned by a projected dt', (table) => {
    const folder = tableFolder(table);
    const location = ['s3://', { Ref: id(lake.stack.dataBucket) }, `/lake/${folder}/`];
    lake.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'work_analytics_lake',
      TableInput: {
        Name: folder,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [Match.objectLike({ Name: 'dt', Type: 'string' })],
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', location] },
          InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
          Columns: glueColumns(table).map((c) => Match.objectLike({ Name: c.name, Type: c.type })),
        }),
        Parameters: Match.objectLike({
          classification: 'json',
          has_encrypted_data: 'false',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': {
            'Fn::Join': ['', [{ Ref: Match.stringLikeRegexp('^LakeFirstDay') }, ',NOW']],
          },
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': {
            'Fn::Join': ['', [...location.slice(0, 2), `/lake/${folder}/dt=\${dt}/`]],
          },
        }),
      },
    });
  });

  it('declares every API number a bigint column: only the lineage attempt is a 32-bit int', () => {
    const tables = resourcesOf(lake.template, 'AWS::Glue::Table').filter(
      ([, t]) =>
        (t.Properties?.TableInput as { TableType?: string } | undefined)?.TableType === 'EXTERNAL_TABLE',
    );
    expect(tables).toHaveLength(TABLES.length);
    for (const [name, table] of tables) {
      const input = table.Properties?.TableInput as
        | { StorageDescriptor: { Columns: GlueColumn[] } }
        | undefined;
      const columns = input?.StorageDescriptor.Columns ?? [];
      expect(
        columns.filter((c) => c.Type === 'int').map((c) => c.Name),
        name,
      ).toEqual(['_attempt']);
      expect(columns.find((c) => c.Name === 'answered_time' || c.Name === 'talk_time_ms')?.Type, name).toBe(
        'bigint',
      );
    }
  });

  it('enforces an encrypted, scan-capped workgroup pinned to engine version 3', () => {
    lake.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'work_analytics_lake',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          OutputLocation: {
            'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^AthenaResults') }, '/results/']],
          },
        },
      },
    });
  });

  it('saves the freshness, missed-calls, view and Parquet queries in the workgroup', () => {
    const queries = resourcesOf(lake.template, 'AWS::Athena::NamedQuery').map(([, q]) => q.Properties ?? {});
    expect(queries.map((q) => q.Name).sort()).toEqual([
      'busiest-hours',
      'call_legs-to-parquet',
      'call_records-to-parquet',
      'freshness',
      'missed-calls-not-called-back',
      'missed-calls-per-day',
      'ring-groups-and-queues-daily',
      'transferred-calls',
    ]);
    for (const q of queries)
      expect(q).toMatchObject({ Database: 'work_analytics_lake', WorkGroup: 'work_analytics_lake' });
    const sql = (name: string) => render(queries.find((q) => q.Name === name)?.QueryString);
    expect(sql('freshness')).toMatch(/max\(dt\)[\s\S]*"call_legs"[\s\S]*UNION ALL[\s\S]*"call_records"/);
    expect(sql('missed-calls-per-day')).toContain(`count_if(missed = 'Missed')`);
    expect(sql('call_records-to-parquet')).toMatch(
      /CREATE TABLE[\s\S]*format = 'PARQUET'[\s\S]*dt BETWEEN \? AND \?/,
    );
    expect(sql('call_records-to-parquet')).toContain('at most 100 partitions');
  });

  it('sizes Parquet batches by the workgroup scan cutoff as well as the 100-partition limit', () => {
    const parquet = (template: typeof lake.template) =>
      resourcesOf(template, 'AWS::Athena::NamedQuery')
        .map(([, q]) => q.Properties ?? {})
        .find((q) => q.Name === 'call_legs-to-parquet');
    expect(render(parquet(lake.template)?.QueryString)).toMatch(
      /scans more than 10 GB[\s\S]*at most 10 GB \//,
    );
    expect(parquet(lake.template)?.Description).toContain('10 GB scanned');
    const small = synthLake({ bytesScannedCutoffGb: '0.5' }, { bundle: false });
    expect(render(parquet(small.template)?.QueryString)).toMatch(
      /scans more than 0\.5 GB[\s\S]*at most 0\.5 GB \//,
    );
  });
});

describe('alarms', () => {
  const alarms = () =>
    resourcesOf(lake.template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
  const named = (suffix: string) => {
    const alarm = alarms().find((a) => String(a.AlarmName).endsWith(`-${suffix}`));
    if (!alarm) throw new Error(`no alarm ${suffix}`);
    return alarm;
  };
  const custom = (metric: string) => ({
    Namespace: 'WorkAnalyticsLake',
    MetricName: metric,
    Dimensions: [{ Name: 'service', Value: 'work-analytics-lake' }],
    Statistic: 'Sum',
  });

  it('notify every new arrival in either dead-letter queue, not only the first', () => {
    for (const [suffix, dlq] of [
      ['PageDlqArrivals', lake.stack.pageQueue.dlq],
      ['ControlDlqArrivals', lake.stack.controlQueue.dlq],
    ] as const) {
      const alarm = named(suffix);
      // A rise of the messages held (visible + in flight), not NumberOfMessagesSent: redrive-policy moves
      // do not count in it. 1 of 2 periods, back to OK once the count stops rising.
      expect(alarm).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(alarm.MetricName).toBeUndefined();
      const queries = alarm.Metrics as Record<string, unknown>[];
      const expression = queries.find((q) => q.Expression !== undefined);
      expect(expression).toMatchObject({ Expression: 'DIFF(FILL(visible, 0) + FILL(inFlight, 0))' });
      const sqsMetric = (name: string) => ({
        Id: expect.any(String),
        ReturnData: false,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/SQS',
            MetricName: name,
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(dlq), 'QueueName'] } }],
          },
          Period: 300,
          Stat: 'Maximum',
        },
      });
      expect(queries.filter((q) => q.Expression === undefined)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ...sqsMetric('ApproximateNumberOfMessagesVisible'), Id: 'visible' }),
          expect.objectContaining({ ...sqsMetric('ApproximateNumberOfMessagesNotVisible'), Id: 'inFlight' }),
        ]),
      );
      expect(JSON.stringify(alarm)).not.toContain('NumberOfMessagesSent');
    }
  });

  it('raise "page queue stalled" when the oldest page task waited two planner ticks (120 min hourly)', () => {
    expect(named('PageQueueStalled')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [id(lake.stack.pageQueue.queue), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: 120 * 60,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it.each([
    ['rate(6 hours)', 60, 12 * 60],
    ['rate(1 day)', 60, 24 * 60],
    ['rate(7 days)', 60, 24 * 60],
    ['rate(5 minutes)', 15, 60],
    ['cron(0 0/3 * * ? *)', 180, 6 * 60],
  ])(
    'derives the page-age threshold from schedule %s and a %i-minute grid: %i min',
    (schedule, gridMinutes, minutes) => {
      expect(pageAgeThreshold({ schedule, gridMinutes }).toMinutes()).toBe(minutes);
    },
  );

  it.each([
    ['RecordsFailed', METRICS.recordsFailed, 300],
    ['ChainsRestarted', METRICS.chainsRestarted, 3600],
    ['MessagesRejected', METRICS.messagesRejected, 3600],
  ])('watch %s: any in a period raises it', (name, metric, period) => {
    expect(named(name)).toMatchObject({
      ...custom(metric),
      Period: period,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('watch planner errors, rejected credentials and reconciliation mismatches', () => {
    expect(named('PlannerErrors')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(lake.stack.planner.fn) } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(named('CredentialsRejected')).toMatchObject({
      ...custom(METRICS.credentialsRejected),
      Threshold: 0,
    });
    expect(named('ReconciliationMismatch')).toMatchObject({
      ...custom(METRICS.reconciliationMismatches),
      Threshold: 0,
    });
  });

  it.each([
    ['RowsQuarantined', METRICS.rowsQuarantined],
    ['WindowsFailed', METRICS.windowsFailed],
    ['TypeMismatches', METRICS.typeMismatches],
  ])('watch %s: any in an hour raises it', (name, metric) => {
    expect(named(name)).toMatchObject({
      ...custom(metric),
      Period: 3600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('raise "lake not fresh" when no window was published for 3 hours, data or not', () => {
    expect(named('LakeNotFresh')).toMatchObject({
      ...custom(METRICS.windowsPublished),
      Period: 3 * 3600,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('notify an encrypted, TLS-only topic CloudWatch may use from every alarm, e-mailed to alarmEmail', () => {
    const [topicId, topic] = resourceNamed(lake.template, 'AWS::SNS::Topic', 'AlarmsTopic');
    expect(
      alarms()
        .map((a) => String(a.AlarmName).replace(/^WorkAnalyticsLake-/, ''))
        .sort(),
    ).toEqual([
      'ApiRetries',
      'BackfillDlqArrivals',
      'BackfillQueueStalled',
      'ChainsRestarted',
      'ControlDlqArrivals',
      'CredentialsRejected',
      'GovernorErrors',
      'LakeNotFresh',
      'MessagesRejected',
      'PageDlqArrivals',
      'PageQueueStalled',
      'PlannerErrors',
      'ReconciliationMismatch',
      'RecordsFailed',
      'RowsQuarantined',
      'TypeMismatches',
      'WindowsFailed',
    ]);
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
    const keyId = render(topic.Properties?.KmsMasterKeyId).replace(/^<|\.Arn>$/g, '');
    lake.template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    expect(keyId).toMatch(/^AlarmsTopicKey/);
    const [, policy] = resourceNamed(lake.template, 'AWS::SNS::TopicPolicy', 'AlarmsTopicPolicy');
    expect(deniesInsecureTransport(policy.Properties?.PolicyDocument)).toBe(true);
    lake.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('outputs and bundles', () => {
  it('outputs what the operator commands read, and the rest an operator needs', () => {
    const outputs = Object.keys(lake.template.toJSON().Outputs);
    for (const name of [
      ...STACK_OUTPUT_NAMES,
      'SetSecretCommand',
      'AthenaResultsBucketName',
      'PlannerFunctionName',
      'WorkerFunctionName',
    ]) {
      expect(outputs).toContain(name);
    }
  });

  it.each(['planner', 'worker'] as const)(
    'bundles the %s as minified ESM that loads and exports handler',
    (name) => {
      const fn = lake.template.toJSON().Resources[id(lake.stack[name].fn)];
      const asset = join(lake.app.outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(existsSync(join(asset, 'index.mjs.map'))).toBe(true);
      // Minified: a few very long lines.
      expect(code.length / code.split('\n').length).toBeGreaterThan(1000);
      // The AWS SDK is inside the bundle, not imported from the runtime; the credential providers left out
      // are only ever loaded by a dynamic import(), which a Lambda (credentials in its environment) never runs.
      expect(code).not.toMatch(/from\s*["']@(aws-sdk|smithy)\//);
      expect(code).not.toMatch(/(^|[;}\n])\s*import\s*["']@(aws-sdk|smithy)\//);
      const loaded = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(join(asset, 'index.mjs'))}); console.log(typeof m.handler);`,
        ],
        {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH,
            AWS_REGION: 'eu-west-1',
            DATA_BUCKET: 'lake-bucket',
            PAGE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/pages.fifo',
            SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wa-AbCdEf',
          },
        },
      );
      expect(
        loaded.stderr.replace(/\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*$/, '').trim(),
      ).toBe('');
      expect(loaded.stdout.trim()).toBe('function');
    },
  );
});

describe('configuration variants', () => {
  const envOf = (variant: SynthesizedLake, fn: 'planner' | 'worker') =>
    variant.template.toJSON().Resources[
      variant.stack.getLogicalId(variant.stack[fn].fn.node.defaultChild as CfnElement)
    ].Properties.Environment.Variables;
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wa/8x8-AbCdEf';

  it('uses an existing secret by ARN: nothing created, the ARN passed and granted', () => {
    const variant = synthLake({ secretArn: arn }, { bundle: false });
    variant.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(envOf(variant, 'worker').SECRET_ID).toBe(arn);
    const role = variant.stack.getLogicalId(variant.stack.worker.role.node.defaultChild as CfnElement);
    expect(permissionsOf(variant.template, role)).toContainEqual({
      action: 'secretsmanager:GetSecretValue',
      resource: arn,
    });
  });

  it('uses an existing secret by name: the name is the SecretId, the grant covers its ARN suffix', () => {
    const variant = synthLake({ secretName: 'wa/8x8' }, { bundle: false });
    variant.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(envOf(variant, 'planner').SECRET_ID).toBe('wa/8x8');
    const role = variant.stack.getLogicalId(variant.stack.planner.role.node.defaultChild as CfnElement);
    const secretGrants = permissionsOf(variant.template, role).filter(
      (g) => g.action === 'secretsmanager:GetSecretValue',
    );
    expect(secretGrants.map((g) => g.resource)).toEqual([
      expect.stringMatching(/:secret:wa\/8x8-\?\?\?\?\?\?$/),
    ]);
  });

  it('keeps the encrypted topic and every alarm action without alarmEmail, with no subscription', () => {
    const variant = synthLake({}, { bundle: false });
    const [topicId, topic] = resourceNamed(variant.template, 'AWS::SNS::Topic', 'AlarmsTopic');
    expect(render(topic.Properties?.KmsMasterKeyId)).toMatch(/^<AlarmsTopicKey[0-9A-F]{8}\.Arn>$/);
    variant.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const alarmList = resourcesOf(variant.template, 'AWS::CloudWatch::Alarm');
    expect(alarmList).toHaveLength(17);
    for (const [, alarm] of alarmList) expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(variant.template.toJSON().Outputs.AlarmTopicArn.Value).toEqual({ Ref: topicId });
  });

  it('decrypts an imported secret with secretKmsKeyArn, through Secrets Manager only, in both functions', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const variant = synthLake({ secretArn: arn, secretKmsKeyArn: key }, { bundle: false });
    for (const fn of ['planner', 'worker'] as const) {
      const role = variant.stack.getLogicalId(variant.stack[fn].role.node.defaultChild as CfnElement);
      expect(permissionsOf(variant.template, role)).toContainEqual({ action: 'kms:Decrypt', resource: key });
    }
    variant.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'kms:Decrypt',
            Resource: key,
            Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
          }),
        ]),
      },
    });
    const plain = synthLake({ secretArn: arn }, { bundle: false });
    for (const fn of ['planner', 'worker'] as const) {
      const role = plain.stack.getLogicalId(plain.stack[fn].role.node.defaultChild as CfnElement);
      expect(permissionsOf(plain.template, role).map((g) => g.action)).not.toContain('kms:Decrypt');
    }
  });

  it('deploys a dev and a prod stack side by side in one account and region without a shared name', () => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const stacks = ['WorkAnalyticsLake-dev', 'WorkAnalyticsLake-prod'].map((stackName) =>
      createLakeStack(app, parseLakeConfig({ stackName })),
    );
    const names = (stack: (typeof stacks)[number]): Record<string, Set<unknown>> => {
      const template = Template.fromStack(stack);
      const props = (type: string) => resourcesOf(template, type).map(([, r]) => r.Properties ?? {});
      const env = props('AWS::Lambda::Function').flatMap((f) =>
        f.Environment ? [(f.Environment as { Variables: Record<string, string> }).Variables] : [],
      );
      const custom = props('AWS::CloudWatch::Alarm').filter(
        (a) => a.Namespace !== undefined && a.Namespace !== 'AWS/SQS' && a.Namespace !== 'AWS/Lambda',
      );
      return {
        databases: new Set(
          props('AWS::Glue::Database').map((d) => (d.DatabaseInput as { Name: string }).Name),
        ),
        tables: new Set(props('AWS::Glue::Table').map((t) => t.DatabaseName)),
        workGroups: new Set(props('AWS::Athena::WorkGroup').map((w) => w.Name)),
        queries: new Set(props('AWS::Athena::NamedQuery').flatMap((q) => [q.Database, q.WorkGroup])),
        namespaces: new Set([
          ...env.map((e) => e.POWERTOOLS_METRICS_NAMESPACE),
          ...custom.map((a) => a.Namespace),
        ]),
        services: new Set([
          ...env.map((e) => e.POWERTOOLS_SERVICE_NAME),
          ...custom.map((a) => (a.Dimensions as { Value: string }[])[0]?.Value),
        ]),
        alarmPrefixes: new Set(
          props('AWS::CloudWatch::Alarm').map((a) => String(a.AlarmName).split('-').slice(0, -1).join('-')),
        ),
        logGroups: new Set(
          props('AWS::Logs::LogGroup').flatMap((g) => (g.LogGroupName ? [String(g.LogGroupName)] : [])),
        ),
      };
    };
    const [dev = {}, prod = {}] = stacks.map(names);
    expect(dev).toEqual({
      databases: new Set(['work_analytics_lake_dev']),
      tables: new Set(['work_analytics_lake_dev']),
      workGroups: new Set(['work_analytics_lake_dev']),
      queries: new Set(['work_analytics_lake_dev']),
      namespaces: new Set(['WorkAnalyticsLake-dev']),
      services: new Set(['work-analytics-lake-dev']),
      alarmPrefixes: new Set(['WorkAnalyticsLake-dev']),
      logGroups: new Set([
        '/WorkAnalyticsLake-dev/planner',
        '/WorkAnalyticsLake-dev/worker',
        '/WorkAnalyticsLake-dev/governor',
      ]),
    });
    for (const key of Object.keys(dev)) {
      expect(
        [...(dev[key] ?? [])].filter((name) => prod[key]?.has(name)),
        key,
      ).toEqual([]);
    }
  });

  it('takes a cron schedule, one table, a cutoff, a freshness window and settle time from context', () => {
    const variant = synthLake(
      {
        schedule: 'cron(5 * * * ? *)',
        tables: 'call-records',
        bytesScannedCutoffGb: '1',
        freshnessHours: 6,
        settleMinutes: '30',
        lakeName: 'acme_calls',
      },
      { bundle: false },
    );
    variant.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(5 * * * ? *)',
    });
    // call_records, and the two views that read only it (calls_hourly, missed_calls).
    variant.template.resourceCountIs('AWS::Glue::Table', 3);
    variant.template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'acme_calls',
      TableInput: { Name: 'call_records' },
    });
    variant.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'acme_calls',
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 1024 ** 3 }),
    });
    variant.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'WindowsPublished',
      Period: 6 * 3600,
    });
    expect(envOf(variant, 'planner')).toMatchObject({
      TABLES: 'call-records',
      SETTLE_MINUTES: '30',
      PBX_IDS: 'allpbxes',
    });
    expect(envOf(variant, 'worker').SETTLE_MINUTES).toBe('30');
  });
});
