import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
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

export const METRICS_NAMESPACE = 'WorkAnalyticsLake';
export const SERVICE_NAME = 'work-analytics-lake';

export interface LakeAlarmsProps {
  readonly planner: lambda.IFunction;
  /** Dead-letter queues by a short name (`Page`, `Control`). */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** No window published for this many hours raises the freshness alarm. */
  readonly freshnessHours: number;
  /** Where alarms are e-mailed; none: alarms only show in the console. */
  readonly alarmEmail?: string;
}

/**
 * What an operator must hear about: a message in a dead-letter queue, a failing planner, credentials 8x8
 * refuses, a window whose rows disagree with the API's total, and a lake that stopped receiving windows.
 * The handlers' metrics are Powertools EMF metrics with the single dimension `service`.
 */
export class LakeAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly topic?: sns.Topic;

  constructor(scope: Construct, id: string, props: LakeAlarmsProps) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const short = Duration.minutes(5);
    const sumOf = (metricName: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: cloudwatch.Stats.SUM,
        period,
      });
    const above0 = (name: string, metric: cloudwatch.IMetric, description: string) =>
      this.add(name, {
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });

    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      above0(
        `${name}DlqNotEmpty`,
        dlq.metricApproximateNumberOfMessagesVisible({ period: short, statistic: cloudwatch.Stats.MAXIMUM }),
        `Messages in the ${name.toLowerCase()} dead-letter queue: they failed every retry. Read them, fix the cause, then redrive.`,
      );
    }
    above0(
      'PlannerErrors',
      props.planner.metricErrors({ period: short, statistic: cloudwatch.Stats.SUM }),
      'The planner failed: no new windows are queued until it succeeds. See its log group.',
    );
    above0(
      'CredentialsRejected',
      sumOf(METRICS.credentialsRejected, short),
      `8x8 refused the credentials of ${stackName}: set valid ones with the SetSecretCommand output.`,
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

    if (props.alarmEmail !== undefined) {
      this.topic = this.emailTopic(props.alarmEmail);
      const action = new SnsAction(this.topic);
      for (const alarm of this.alarms) alarm.addAlarmAction(action);
    }
  }

  private add(name: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>): void {
    const alarm = new cloudwatch.Alarm(this, name, {
      ...props,
      alarmName: `${Stack.of(this).stackName}-${name}`,
      evaluationPeriods: 1,
    });
    this.alarms.push(alarm);
  }

  /**
   * An encrypted, TLS-only topic that CloudWatch may publish to. The key is a customer managed one: CloudWatch
   * alarms cannot use a topic encrypted with the AWS managed `alias/aws/sns` key, whose policy cannot grant them.
   */
  private emailTopic(email: string): sns.Topic {
    const stack = Stack.of(this);
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const key = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the alarm topic of ${stack.stackName}`,
      enableKeyRotation: true,
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
    topic.addSubscription(new EmailSubscription(email));
    return topic;
  }
}
