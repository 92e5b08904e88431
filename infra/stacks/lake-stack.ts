import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { type LakeConfig, logGroupNameOf, metricsIdentity, pbxIdsEnv } from '../config.js';
import { LakeAlarms } from '../constructs/alarms.js';
import { ApiSecret } from '../constructs/api-secret.js';
import { AthenaTables } from '../constructs/athena-tables.js';
import { ConcurrencyGovernor } from '../constructs/concurrency-governor.js';
import { FirstDay } from '../constructs/first-day.js';
import { grantPrefixes } from '../constructs/lake-access.js';
import { type LakeBuckets, lakeBuckets } from '../constructs/lake-buckets.js';
import { LakeDashboard } from '../constructs/lake-dashboard.js';
import { PipelineFunction } from '../constructs/pipeline-function.js';
import { PlannerSchedule } from '../constructs/planner-schedule.js';
import { QueueWithDlq } from '../constructs/queue-with-dlq.js';
import {
  BACKFILL_AGE_THRESHOLD,
  BACKFILL_RETENTION,
  CONTROL_MAX_CONCURRENCY,
  MAX_RECEIVE_COUNT,
  PLANNER_TIMEOUT,
  pageAgeThreshold,
  workerTimeout,
} from './timing.js';

/** The page queues of both lanes and the control queue. */
interface Queues {
  readonly pages: QueueWithDlq;
  readonly backfill: QueueWithDlq;
  readonly control: QueueWithDlq;
}

export interface LakeStackProps extends StackProps {
  readonly config: LakeConfig;
}

/**
 * The pipeline on AWS (README.md, "How it works"): schedule and control queue -> planner -> page queues (FIFO)
 * -> worker, which writes the S3 lake that Glue and Athena read. Wiring only: the secure defaults live in
 * `constructs/`.
 */
export class LakeStack extends Stack {
  readonly dataBucket: s3.Bucket;
  readonly pageQueue: QueueWithDlq;
  readonly backfillQueue: QueueWithDlq;
  readonly controlQueue: QueueWithDlq;
  readonly planner: PipelineFunction;
  readonly worker: PipelineFunction;
  readonly schedule: scheduler.Schedule;
  readonly governor: ConcurrencyGovernor;

  constructor(scope: Construct, id: string, props: LakeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const storage = lakeBuckets(this, { dataEncryption: config.dataEncryption });
    const queues = this.queues(config);
    const credentials = new ApiSecret(this, 'ApiCredentials', {
      secretName: config.secretName,
      secretArn: config.secretArn,
      kmsKeyArn: config.secretKmsKeyArn,
    });
    // Per stack, so that two stacks in one account and region keep their metrics (and alarms) apart.
    const identity = metricsIdentity(config);
    const { planner, worker } = this.functions(config, storage, queues, credentials, identity);
    const wired = this.wire(config, storage, queues, credentials, { planner, worker });
    this.schedule = wired.schedule;
    this.governor = new ConcurrencyGovernor(this, 'Concurrency', {
      live: {
        mappingId: wired.live.eventSourceMappingId,
        queue: queues.pages.queue,
        cap: config.maxConcurrency,
      },
      backfill: {
        mappingId: wired.backfill.eventSourceMappingId,
        queue: queues.backfill.queue,
        cap: config.backfillConcurrency,
      },
      adaptive: config.adaptiveConcurrency,
      ...identity,
      logGroupName: logGroupNameOf(config, 'governor'),
    });
    this.dataBucket = storage.data;
    this.pageQueue = queues.pages;
    this.backfillQueue = queues.backfill;
    this.controlQueue = queues.control;
    this.planner = planner;
    this.worker = worker;
    const firstDay = new FirstDay(this, 'LakeFirstDay', {
      firstDay: config.firstDay,
      dataBucket: storage.data,
      tables: config.tables,
    }).day;
    planner.fn.addEnvironment('FIRST_DAY', firstDay);
    const athena = new AthenaTables(this, 'Athena', {
      lakeName: config.lakeName,
      dataBucket: storage.data,
      resultsBucket: storage.results,
      tables: config.tables,
      firstDay,
      bytesScannedCutoffGb: config.bytesScannedCutoffGb,
      resultsKey: storage.key,
    });
    const alarms = new LakeAlarms(this, 'Alarms', {
      ...identity,
      planner: planner.fn,
      governor: this.governor.fn.fn,
      pageQueue: queues.pages.queue,
      pageAgeThreshold: pageAgeThreshold(config),
      backfillQueue: queues.backfill.queue,
      backfillAgeThreshold: BACKFILL_AGE_THRESHOLD,
      apiRetriesPerHour: config.apiRetriesPerHour,
      topicKeyRemoval: config.alarmKeyRemovalPolicy,
      deadLetterQueues: {
        Page: queues.pages.dlq,
        Backfill: queues.backfill.dlq,
        Control: queues.control.dlq,
      },
      freshnessHours: config.freshnessHours,
      alarmEmail: config.alarmEmail,
    });
    this.outputs(config, storage, queues, credentials, athena, alarms, firstDay);
    if (config.dashboard) this.dashboard(config, queues, identity, alarms);
  }

  /** The pipeline's CloudWatch dashboard, and its address as an output. */
  private dashboard(
    config: LakeConfig,
    queues: Queues,
    identity: { namespace: string; service: string },
    alarms: LakeAlarms,
  ): void {
    const { dashboardName } = new LakeDashboard(this, 'Dashboard', {
      dashboardName: config.stackName,
      ...identity,
      pageQueue: queues.pages.queue,
      backfillQueue: queues.backfill.queue,
      deadLetterQueues: {
        page: queues.pages.dlq,
        backfill: queues.backfill.dlq,
        control: queues.control.dlq,
      },
      functions: { planner: this.planner.fn, worker: this.worker.fn, governor: this.governor.fn.fn },
      alarms: alarms.alarms,
    }).dashboard;
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${dashboardName}`,
      description:
        'The CloudWatch dashboard of the pipeline: alarms, windows, rows, the 8x8 API, queues, functions',
    });
  }

  /** Queues: page tasks (FIFO, one page in flight per chain) on two lanes, and control messages (reruns). */
  private queues(config: LakeConfig): Queues {
    const pages = new QueueWithDlq(this, 'PageQueue', {
      fifo: true,
      consumerTimeout: workerTimeout(config.gridMinutes),
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    // The backfill lane: reruns and backfills get a queue and a concurrency of their own, so that thousands of
    // their chains never wait in front of the scheduled windows. A long backfill waits days on it: kept the
    // 14-day maximum, not SQS's default 4, past which a task is deleted without reaching the DLQ.
    const backfill = new QueueWithDlq(this, 'BackfillQueue', {
      fifo: true,
      consumerTimeout: workerTimeout(config.gridMinutes),
      maxReceiveCount: MAX_RECEIVE_COUNT,
      retentionPeriod: BACKFILL_RETENTION,
    });
    const control = new QueueWithDlq(this, 'ControlQueue', {
      consumerTimeout: PLANNER_TIMEOUT,
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });

    return { pages, backfill, control };
  }

  /** The planner and the worker, with the environment their configuration schemas read. */
  private functions(
    config: LakeConfig,
    storage: LakeBuckets,
    queues: Queues,
    credentials: ApiSecret,
    identity: { namespace: string; service: string },
  ) {
    const { data } = storage;
    const { pages, backfill } = queues;
    const { namespace, service } = identity;
    const common = {
      DATA_BUCKET: data.bucketName,
      PAGE_QUEUE_URL: pages.queue.queueUrl,
      BACKFILL_QUEUE_URL: backfill.queue.queueUrl,
      SECRET_ID: credentials.secretId,
      WA_BASE_URL: config.baseUrl,
      SETTLE_MINUTES: String(config.settleMinutes),
      POWERTOOLS_SERVICE_NAME: service,
      POWERTOOLS_METRICS_NAMESPACE: namespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const planner = new PipelineFunction(this, 'Planner', {
      handler: 'planner',
      description: 'Plans grid windows and queues the first page task of each chain',
      memorySize: 512,
      timeout: PLANNER_TIMEOUT,
      logGroupName: logGroupNameOf(config, 'planner'),
      environment: {
        ...common,
        TABLES: config.tables.join(','),
        PBX_IDS: pbxIdsEnv(config),
        GRID_MINUTES: String(config.gridMinutes),
        PAGE_SIZE: String(config.pageSize),
        HORIZON_DAYS: String(config.horizonDays),
        STALE_AFTER_MINUTES: String(config.staleAfterMinutes),
        MAX_RERUN_DAYS: String(config.maxRerunDays),
        MAX_CHAINS_PER_RUN: String(config.maxChainsPerRun),
        IS_CONNECT_TIME: String(config.isConnectTime),
        IS_SIMPLIFIED: String(config.isSimplified),
        END_ON_LAST_DATA_PAGE: String(config.endOnLastDataPage),
        LEGS_FILTER_FIELD: config.legsFilterField,
        RECORDS_FILTER_FIELD: config.recordsFilterField,
      },
    });
    // A chain is a loop through SQS: each page's task queues the next. Lambda's recursive loop detection would
    // stop every chain longer than 16 pages, so it is allowed here, with the chain's own guard rails instead:
    // - the page cap: a chain never goes past the first page's total plus a margin, nor past MAX_PAGE (10,000)
    //   pages (chain-step.ts, page-task.ts), after which it fails into the page DLQ (alarmed);
    // - one page in flight per chain (FIFO message group), so a chain cannot fan out;
    // - the event source's maximum concurrency (`maxConcurrency` context) caps the worker's parallel batches.
    const worker = new PipelineFunction(this, 'Worker', {
      handler: 'worker',
      description: 'Fetches one page of a chain, stages it, queues the next page or publishes the window',
      memorySize: 1024,
      timeout: workerTimeout(config.gridMinutes),
      logGroupName: logGroupNameOf(config, 'worker'),
      reservedConcurrentExecutions: config.reservedConcurrency,
      environment: {
        ...common,
        MAX_RESTARTS: String(config.maxRestarts),
        MAX_RECEIVES: String(MAX_RECEIVE_COUNT),
      },
      recursiveLoop: lambda.RecursiveLoop.ALLOW,
    });

    return { planner, worker };
  }

  /** Who may do what (least privilege), and what triggers the functions. */
  private wire(
    config: LakeConfig,
    storage: LakeBuckets,
    queues: Queues,
    credentials: ApiSecret,
    fns: { planner: PipelineFunction; worker: PipelineFunction },
  ): { schedule: scheduler.Schedule; live: SqsEventSource; backfill: SqsEventSource } {
    const { data } = storage;
    const { pages, backfill, control } = queues;
    const { planner, worker } = fns;
    // SSE-KMS: S3 asks KMS for a data key to write and decrypts it to read, in the caller's name.
    if (storage.key)
      for (const fn of [planner, worker]) storage.key.grant(fn.role, 'kms:Decrypt', 'kms:GenerateDataKey');
    // Least privilege, prefix by prefix (lake-keys.ts): only the worker writes the lake.
    grantPrefixes(data, worker.role, {
      // lake/: the manifest, and the object a pull of some PBXes merges into; quarantine/: rows that contradict
      // the filter field.
      read: ['staging/', 'ledger/', 'lake/'],
      write: ['staging/', 'lake/', 'ledger/', 'quarantine/'],
      // Only a window's object is streamed in parts; pages, markers and ledger entries are single PUTs.
      multipart: ['lake/'],
      delete: ['staging/'],
    });
    // The planner records the lake's grid in lake/_manifest.json (and lists window keys of a lake made before).
    // control/: one marker per control message, so a duplicate or a redelivery starts nothing twice.
    grantPrefixes(data, planner.role, {
      read: ['ledger/', 'lake/_manifest.json', 'control/'],
      write: ['ledger/', 'lake/_manifest.json', 'control/'],
    });
    for (const fn of [planner, worker]) {
      credentials.grantRead(fn.role);
      // SendMessage covers SendMessageBatch; the functions know the queue's URL and ask nothing else of it.
      pages.queue.grant(fn.role, 'sqs:SendMessage');
      backfill.queue.grant(fn.role, 'sqs:SendMessage');
      this.acknowledgeFunction(fn);
    }

    // One message per invocation: a slow page cannot use up the time of others in its batch.
    // Each lane's maximum concurrency starts at its cap; the concurrency governor then moves it with the API's
    // answers (constructs/concurrency-governor.ts). A later deploy leaves the governor's value in place unless
    // the cap itself changes.
    const live = new SqsEventSource(pages.queue, {
      batchSize: 1,
      reportBatchItemFailures: true,
      maxConcurrency: config.maxConcurrency,
    });
    worker.fn.addEventSource(live);
    const backfillSource = new SqsEventSource(backfill.queue, {
      batchSize: 1,
      reportBatchItemFailures: true,
      maxConcurrency: config.backfillConcurrency,
    });
    worker.fn.addEventSource(backfillSource);
    planner.fn.addEventSource(
      new SqsEventSource(control.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: CONTROL_MAX_CONCURRENCY,
      }),
    );
    // One tick per grid period by default (config.ts, gridSchedule), with the tick's time in its payload.
    const schedule = new PlannerSchedule(this, 'Schedule', {
      expression: config.schedule,
      planner: planner.fn,
    }).schedule;
    return { schedule, live, backfill: backfillSource };
  }

  /** The stack's outputs: what the CLI's `--stack` and an operator read. */
  private outputs(
    config: LakeConfig,
    storage: LakeBuckets,
    queues: Queues,
    credentials: ApiSecret,
    athena: AthenaTables,
    alarms: LakeAlarms,
    firstDay: string,
  ): void {
    const { data, results } = storage;
    const { pages, backfill, control } = queues;
    const { planner, worker } = this;
    const outputs: Record<string, [string, string]> = {
      DataBucketName: [data.bucketName, 'The lake: lake/<table>/dt=YYYY-MM-DD/<window>.json.gz'],
      PageQueueUrl: [pages.queue.queueUrl, 'Page tasks (FIFO)'],
      PageDlqUrl: [pages.dlq.queueUrl, 'Page tasks that failed every retry'],
      BackfillQueueUrl: [backfill.queue.queueUrl, 'Page tasks of reruns and backfills (FIFO)'],
      BackfillDlqUrl: [backfill.dlq.queueUrl, 'Rerun and backfill page tasks that failed every retry'],
      ControlQueueUrl: [control.queue.queueUrl, 'Send rerun messages here ({"v":1,"kind":"rerun",...})'],
      ControlDlqUrl: [control.dlq.queueUrl, 'Control messages that failed every retry'],
      SecretArn: [credentials.secret.secretArn, 'The 8x8 credentials secret'],
      WorkGroupName: [athena.workGroupName, 'Athena workgroup (results encrypted, scan cutoff enforced)'],
      DatabaseName: [athena.databaseName, 'Glue database of the lake tables'],
      AthenaResultsBucketName: [results.bucketName, 'Athena query results'],
      PlannerFunctionName: [planner.fn.functionName, 'Planner Lambda'],
      WorkerFunctionName: [worker.fn.functionName, 'Worker Lambda'],
      PlannerLogGroupName: [planner.logGroup.logGroupName, 'The planner logs here: aws logs tail <name>'],
      WorkerLogGroupName: [worker.logGroup.logGroupName, 'The worker logs here: aws logs tail <name>'],
      GovernorLogGroupName: [
        this.governor.fn.logGroup.logGroupName,
        "The concurrency governor logs each lane's changes here: aws logs tail <name>",
      ],
      ScheduleName: [
        this.schedule.scheduleName,
        `EventBridge Scheduler schedule of the planner (${config.schedule})`,
      ],
      FirstDay: [firstDay, 'First day (dt) the Athena tables project; the planner refuses reruns before it'],
      ...(storage.key
        ? {
            DataKeyArn: [
              storage.key.keyArn,
              'KMS key of the call data: Athena users need kms:Decrypt on it',
            ] as [string, string],
          }
        : {}),
      AlarmTopicArn: [
        alarms.topic.topicArn,
        'Every alarm notifies this topic: subscribe e-mail, chat or paging',
      ],
    };
    for (const [id, [value, description]] of Object.entries(outputs))
      new CfnOutput(this, id, { value, description });
  }

  /** The findings a pipeline function raises by design, each acknowledged with its reason. */
  private acknowledgeFunction(fn: PipelineFunction): void {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (tracing ACTIVE): xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
        'permissions, so AWS requires Resource "*".',
    });
  }
}

/** The lake stack in an app, named by the `stackName` context. */
export function createLakeStack(scope: Construct, config: LakeConfig, props: StackProps = {}): LakeStack {
  return new LakeStack(scope, config.stackName, {
    description: '8x8 Work Analytics call legs and call records in an S3 lake queried with Athena',
    ...props,
    config,
  });
}
