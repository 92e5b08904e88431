import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../../functions/handlers/config.js';

export interface LakeAlarmsProps {
  /** The handlers' metrics namespace and `service` dimension (POWERTOOLS_METRICS_NAMESPACE / _SERVICE_NAME). */
  readonly namespace: string;
  readonly service: string;
  readonly planner: lambda.IFunction;
  /** The concurrency governor: while it fails, each lane keeps the concurrency it last set. */
  readonly governor: lambda.IFunction;
  /** The page queue, whose oldest message says whether chains are moving. */
  readonly pageQueue: sqs.IQueue;
  /** An oldest page task older than this raises PageQueueStalled (see the stack for how it is derived). */
  readonly pageAgeThreshold: Duration;
  /** The backfill lane's queue: its tasks expire at its retention, unread, so its age is watched too. */
  readonly backfillQueue: sqs.IQueue;
  /** An oldest backfill task older than this raises BackfillQueueStalled (well before it expires). */
  readonly backfillAgeThreshold: Duration;
  /** Retried 8x8 requests in an hour above which ApiRetries fires. */
  readonly apiRetriesPerHour: number;
  /** `destroy`: `cdk destroy` schedules the alarm topic's key for deletion (7 days); `retain` keeps it. */
  readonly topicKeyRemoval: 'destroy' | 'retain';
  /** Dead-letter queues by a short name (`Page`, `Control`). */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** No window published for this many hours raises the freshness alarm. */
  readonly freshnessHours: number;
  /** Subscribed to the alarm topic by e-mail; without it, subscribe whatever reaches you to `topic`. */
  readonly alarmEmail?: string;
}

type AlarmOptions = Omit<cloudwatch.AlarmProps, 'evaluationPeriods'> & { evaluationPeriods?: number };

/**
 * What an operator must hear about: a new message in a dead-letter queue, a page queue that stopped moving,
 * records the worker fails, a failing planner, credentials 8x8 refuses, restarted chains and rejected
 * messages, a window whose rows disagree with the API's total, and a lake that stopped receiving windows.
 * Every alarm notifies the stack's SNS topic, which always exists. The handlers' metrics are Powertools EMF
 * metrics with the single dimension `service`.
 */
export class LakeAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: LakeAlarmsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const short = Duration.minutes(5);
    const sumOf = (metricName: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: props.namespace,
        metricName,
        dimensionsMap: { service: props.service },
        statistic: cloudwatch.Stats.SUM,
        period,
      });
    const above0 = (
      name: string,
      metric: cloudwatch.IMetric,
      description: string,
      more: Partial<AlarmOptions> = {},
    ) =>
      this.add(name, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
        ...more,
      });

    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      // A redrive policy's moves do not count in the DLQ's NumberOfMessagesSent (only SendMessage calls do), so
      // arrivals are read as a rise of the messages it holds, visible plus in flight (an operator reading them
      // does not change the sum). SQS stops reporting a queue that is empty and untouched: FILL reads that as
      // 0. The alarm returns to OK once the count stops rising, so the next arrival notifies again.
      above0(
        `${name}DlqArrivals`,
        new cloudwatch.MathExpression({
          expression: 'DIFF(FILL(visible, 0) + FILL(inFlight, 0))',
          usingMetrics: {
            visible: dlq.metricApproximateNumberOfMessagesVisible({ period: short, statistic: 'Maximum' }),
            inFlight: dlq.metricApproximateNumberOfMessagesNotVisible({
              period: short,
              statistic: 'Maximum',
            }),
          },
          period: short,
          label: `New messages in the ${name.toLowerCase()} DLQ`,
        }),
        `New messages in the ${name.toLowerCase()} dead-letter queue: they failed every retry. Read them, fix the cause, then redrive.`,
        // 1 of 2 periods: one late SQS data point still raises it.
        { evaluationPeriods: 2, datapointsToAlarm: 1 },
      );
    }
    const ageMinutes = props.pageAgeThreshold.toMinutes();
    this.add('PageQueueStalled', {
      metric: props.pageQueue.metricApproximateAgeOfOldestMessage({ period: short, statistic: 'Maximum' }),
      threshold: props.pageAgeThreshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // An empty, idle queue reports nothing: nothing is waiting.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `A page task has waited over ${ageMinutes} min in the page queue: chains are not moving (worker failing ` +
        'or throttled, a backlog ahead of live windows). See the worker log group and `walake status`.',
    });
    const backfillDays = props.backfillAgeThreshold.toDays();
    this.add('BackfillQueueStalled', {
      metric: props.backfillQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.hours(1),
        statistic: 'Maximum',
      }),
      threshold: props.backfillAgeThreshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `A rerun or backfill task has waited over ${backfillDays} days in the backfill queue, which deletes ` +
        `tasks unread after ${backfillDays * 2}: raise backfillConcurrency, or let it drain, then run the ` +
        'rerun that `walake status --stack <stack> --all` prints for each stranded window.',
    });
    this.add('ApiRetries', {
      metric: sumOf(METRICS.apiRetries, Duration.hours(1)),
      threshold: props.apiRetriesPerHour,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `Over ${props.apiRetriesPerHour} requests to 8x8 were retried in an hour (429, 5xx, timeouts): pages ` +
        'take longer and cost more requests. Lower maxConcurrency or backfillConcurrency, and run `walake ' +
        'probe` to see how the API throttles today.',
    });
    above0(
      'RecordsFailed',
      sumOf(METRICS.recordsFailed, short),
      'The worker failed page tasks (each failed record counts): they are retried and, after 5 receives, ' +
        'dead-lettered. See the worker log group for `page task failed`.',
    );
    above0(
      'PlannerErrors',
      props.planner.metricErrors({ period: short, statistic: cloudwatch.Stats.SUM }),
      'The planner failed: no new windows are queued until it succeeds. See its log group.',
    );
    above0(
      'GovernorErrors',
      props.governor.metricErrors({ period: short, statistic: cloudwatch.Stats.SUM }),
      'The concurrency governor has failed for 15 minutes: each lane keeps the event source concurrency it last ' +
        'set (between 2 and its cap), so a backfill may run slower or keep meeting 429s. See its log group.',
      { evaluationPeriods: 3, datapointsToAlarm: 3 },
    );
    above0(
      'CredentialsRejected',
      sumOf(METRICS.credentialsRejected, short),
      `8x8 refused the credentials of ${stackName}: set valid ones with the SetSecretCommand output.`,
    );
    above0(
      'ChainsRestarted',
      sumOf(METRICS.chainsRestarted, Duration.hours(1)),
      '8x8 refused a chain cursor and the window restarted from page 1 (costs its requests again). Often ' +
        'means pages wait too long between requests: check PageQueueStalled and `walake probe`.',
    );
    above0(
      'MessagesRejected',
      sumOf(METRICS.messagesRejected, Duration.hours(1)),
      'A malformed page task or control message was dropped (not retried): its ERROR line with the messageId ' +
        'in the worker or planner log group says why; resend a control message with walake.',
    );
    above0(
      'ReconciliationMismatch',
      sumOf(METRICS.reconciliationMismatches, Duration.hours(1)),
      "A published window's row count differs from the API's first-page total: rerun the window.",
    );
    above0(
      'RowsQuarantined',
      sumOf(METRICS.rowsQuarantined, Duration.hours(1)),
      'Rows fell outside their window on the configured filter field: they are under quarantine/, not in the ' +
        'tables. Run `walake probe`, set recordsFilterField / legsFilterField as it says, then rerun the windows.',
    );
    above0(
      'WindowsFailed',
      sumOf(METRICS.windowsFailed, Duration.hours(1)),
      'A window was given up on (see the reason in `walake status --stack`): fix the cause, then run the ' +
        'walake rerun that status prints.',
    );
    above0(
      'TypeMismatches',
      sumOf(METRICS.typeMismatches, Duration.hours(1)),
      'Rows carried values that did not fit their column: the rows are kept and the values are in `extra`. ' +
        'Check whether 8x8 changed a field, then update columns-*.ts.',
    );
    this.add('LakeNotFresh', {
      metric: sumOf(METRICS.windowsPublished, Duration.hours(props.freshnessHours)),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data point at all means nothing was published: that is the very thing to alarm on.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `No window was published in the last ${props.freshnessHours} h: check the schedule, the planner and the page DLQ.`,
    });

    this.topic = this.alarmTopic(props.topicKeyRemoval);
    if (props.alarmEmail !== undefined) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    for (const alarm of this.alarms) alarm.addAlarmAction(action);
  }

  private add(name: string, props: AlarmOptions): void {
    const alarm = new cloudwatch.Alarm(this, name, {
      evaluationPeriods: 1,
      ...props,
      alarmName: `${Stack.of(this).stackName}-${name}`,
    });
    this.alarms.push(alarm);
  }

  /**
   * An encrypted, TLS-only topic that CloudWatch may publish to. The key is a customer managed one: CloudWatch
   * alarms cannot use a topic encrypted with the AWS managed `alias/aws/sns` key, whose policy cannot grant them.
   */
  private alarmTopic(removal: 'destroy' | 'retain'): sns.Topic {
    const stack = Stack.of(this);
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const key = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the alarm topic of ${stack.stackName}`,
      enableKeyRotation: true,
      // The topic goes with the stack, and the key only ever encrypted its messages in flight: nothing to keep.
      removalPolicy: removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.grant(cloudwatchPrincipal, 'kms:Decrypt', 'kms:GenerateDataKey*');
    const topic = new sns.Topic(this, 'Topic', {
      displayName: `${stack.stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    // The topic policy written for enforceSSL replaces the default one: allow this account's alarms explicitly.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatchPrincipal],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return topic;
  }
}
