import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUT_NAMES } from '../../functions/adapters/stack-outputs.js';
import { glueColumns } from '../../functions/core/record-schema.js';
import { TABLES, tableFolder } from '../../functions/core/tables.js';
import { METRICS } from '../../functions/handlers/config.js';
import { ESM_REQUIRE_BANNER } from '../../infra/constructs/pipeline-function.js';
import {
  type CfnResource,
  deniesInsecureTransport,
  permissionsOf,
  render,
  resourceNamed,
  resourcesOf,
} from './cfn.js';
import { type SynthesizedLake, sharedLake, synthLake } from './synth.js';

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
    expect(queues).toHaveLength(4);
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

  it('hide a message for at least 6 times its consumer timeout', () => {
    const mappings = resourcesOf(lake.template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(2);
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
  it('run Node.js 22 on arm64 with tracing, their own log group kept 3 months, and the documented memory', () => {
    for (const [fn, memory] of [
      [lake.stack.planner, 512],
      [lake.stack.worker, 1024],
    ] as const) {
      lake.template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
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

  it('consume the page queue by 5 with partial failures and capped concurrency, the control queue likewise', () => {
    lake.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(lake.stack.worker.fn) },
      EventSourceArn: { 'Fn::GetAtt': [id(lake.stack.pageQueue.queue), 'Arn'] },
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    lake.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: id(lake.stack.planner.fn) },
      EventSourceArn: { 'Fn::GetAtt': [id(lake.stack.controlQueue.queue), 'Arn'] },
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
      SECRET_ID: { Ref: Match.stringLikeRegexp('^ApiCredentialsSecret') },
      WA_BASE_URL: 'https://api.8x8.com/analytics/work',
      SETTLE_MINUTES: '120',
      POWERTOOLS_SERVICE_NAME: 'work-analytics-lake',
      POWERTOOLS_METRICS_NAMESPACE: 'WorkAnalyticsLake',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    expect(Match.exact({ ...common, MAX_RESTARTS: '3' }).test(envOf(lake.stack.worker)).isSuccess).toBe(true);
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
        LEGS_FILTER_FIELD: 'disconnectedTimeUTC',
        RECORDS_FILTER_FIELD: 'disconnectedTimeUTC',
      }).test(envOf(lake.stack.planner)).isSuccess,
    ).toBe(true);
  });

  it('are triggered by the schedule, retried twice', () => {
    lake.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [id(lake.stack.planner.fn), 'Arn'] },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        }),
      ],
    });
    lake.template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [id(lake.stack.planner.fn), 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
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

  it('lets the planner read and write the ledger, and write no lake object but the manifest', () => {
    const planner = id(lake.stack.planner.role);
    const grants = permissionsOf(lake.template, planner);
    expect(can(planner, 's3:ListBucket', `<${id(lake.stack.dataBucket)}.Arn>`)).toBe(true);
    expect(can(planner, 's3:GetObject', objects('ledger/'))).toBe(true);
    expect(can(planner, 's3:PutObject', objects('ledger/'))).toBe(true);
    const s3Writes = grants.filter((g) => /^s3:(Put|Delete)/.test(g.action)).map((g) => g.resource);
    expect(new Set(s3Writes)).toEqual(new Set([objects('ledger/'), objects('lake/_manifest.json')]));
    expect(can(planner, 'sqs:SendMessage', `<${id(lake.stack.pageQueue.queue)}.Arn>`)).toBe(true);
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
          'projection.dt.range': '2020-01-01,NOW',
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
    const tables = resourcesOf(lake.template, 'AWS::Glue::Table');
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

  it('enforces an encrypted, scan-capped workgroup', () => {
    lake.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'work_analytics_lake',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'AUTO' },
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
          OutputLocation: {
            'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^AthenaResults') }, '/results/']],
          },
        },
      },
    });
  });

  it('saves the freshness, missed-calls and Parquet queries in the workgroup', () => {
    const queries = resourcesOf(lake.template, 'AWS::Athena::NamedQuery').map(([, q]) => q.Properties ?? {});
    expect(queries.map((q) => q.Name).sort()).toEqual([
      'call_legs-to-parquet',
      'call_records-to-parquet',
      'freshness',
      'missed-calls-per-day',
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

  it('watch both dead-letter queues', () => {
    for (const [suffix, dlq] of [
      ['PageDlqNotEmpty', lake.stack.pageQueue.dlq],
      ['ControlDlqNotEmpty', lake.stack.controlQueue.dlq],
    ] as const) {
      expect(named(suffix)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id(dlq), 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
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

  it('e-mail every alarm through an encrypted, TLS-only topic CloudWatch may use', () => {
    const [topicId, topic] = resourceNamed(lake.template, 'AWS::SNS::Topic', 'AlarmsTopic');
    expect(alarms()).toHaveLength(9);
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
            AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
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

  it('creates no topic without alarmEmail, and alarms without actions', () => {
    const variant = synthLake({}, { bundle: false });
    variant.template.resourceCountIs('AWS::SNS::Topic', 0);
    variant.template.resourceCountIs('AWS::KMS::Key', 0);
    for (const [, alarm] of resourcesOf(variant.template, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties?.AlarmActions).toBeUndefined();
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
    variant.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(5 * * * ? *)' });
    variant.template.resourceCountIs('AWS::Glue::Table', 1);
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
