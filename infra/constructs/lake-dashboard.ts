import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS } from '../../functions/handlers/config.js';

export interface LakeDashboardProps {
  readonly dashboardName: string;
  /** The handlers' metrics namespace and `service` dimension. */
  readonly namespace: string;
  readonly service: string;
  readonly pageQueue: sqs.IQueue;
  readonly backfillQueue: sqs.IQueue;
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/**
 * One CloudWatch dashboard for the pipeline, in the order an operator asks: is anything alarming; is the lake
 * landing (windows published, rows, failures); is 8x8 pushing back (retries, restarted chains); are the queues
 * moving (depth and age of both lanes, the dead-letter queues); and the functions' errors and durations.
 */
export class LakeDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: LakeDashboardProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const metric = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: props.namespace,
        metricName,
        dimensionsMap: { service: props.service },
        statistic: cloudwatch.Stats.SUM,
        period,
        label,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    const lanes = { live: props.pageQueue, backfill: props.backfillQueue };
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...props.alarms],
            width: 24,
            height: 4,
          }),
        ],
        [
          graph('Windows', [
            metric(METRICS.windowsPublished, 'published'),
            metric(METRICS.windowsFailed, 'failed'),
            metric(METRICS.reconciliationMismatches, 'not reconciled'),
          ]),
          graph('Rows', [
            metric(METRICS.rowsStaged, 'staged'),
            metric(METRICS.rowsQuarantined, 'quarantined'),
            metric(METRICS.typeMismatches, 'mistyped'),
          ]),
          graph('8x8 API', [
            metric(METRICS.pagesFetched, 'pages fetched'),
            metric(METRICS.apiRetries, 'requests retried (429, 5xx, timeouts)'),
            metric(METRICS.chainsRestarted, 'chains restarted'),
          ]),
        ],
        [
          graph(
            'Page tasks waiting',
            Object.entries(lanes).map(([lane, queue]) =>
              queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: lane }),
            ),
          ),
          graph(
            'Oldest page task (s)',
            Object.entries(lanes).map(([lane, queue]) =>
              queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: lane }),
            ),
          ),
          graph(
            'Dead-letter queues',
            Object.entries(props.deadLetterQueues).map(([name, dlq]) =>
              dlq.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: name }),
            ),
          ),
        ],
        [
          graph(
            'Function errors',
            Object.entries(props.functions).map(([name, fn]) =>
              fn.metricErrors({ period, statistic: cloudwatch.Stats.SUM, label: name }),
            ),
            12,
          ),
          graph(
            'Function duration p90 (ms)',
            Object.entries(props.functions).map(([name, fn]) =>
              fn.metricDuration({ period, statistic: cloudwatch.Stats.p(90), label: name }),
            ),
            12,
          ),
        ],
      ],
    });
  }
}
