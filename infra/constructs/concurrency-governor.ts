import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PipelineFunction } from './pipeline-function.js';

/** A lane the governor steers: the worker's event source on a queue, and the lane's cap. */
export interface GovernedLane {
  readonly mappingId: string;
  readonly queue: sqs.IQueue;
  readonly cap: number;
}

export interface ConcurrencyGovernorProps {
  readonly live: GovernedLane;
  readonly backfill: GovernedLane;
  /** false: the governor keeps each lane at its cap (the `adaptiveConcurrency` context key). */
  readonly adaptive: boolean;
  /** The workers' metrics (POWERTOOLS_METRICS_NAMESPACE and the `service` dimension). */
  readonly namespace: string;
  readonly service: string;
  readonly logGroupName: string;
}

/**
 * Adaptive concurrency on AWS: a small function that an EventBridge rule runs once a minute. It reads the
 * workers' `ApiRetries` metric and each lane's backlog, and moves the worker's event source maximum
 * concurrency on each lane: halved after a minute of retries, one more after a clean minute while messages
 * wait, within 2 and the lane's cap (functions/core/concurrency-governor.ts). It may read and change those two
 * event sources only, read the two queues' attributes, and read metrics.
 */
export class ConcurrencyGovernor extends Construct {
  readonly fn: PipelineFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ConcurrencyGovernorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { live, backfill } = props;
    this.fn = new PipelineFunction(this, 'Governor', {
      handler: 'governor',
      description: "Moves the worker's event source concurrency with the 8x8 API's answers, once a minute",
      memorySize: 256,
      timeout: Duration.seconds(30),
      logGroupName: props.logGroupName,
      // One at a time: two runs of the same minute could otherwise both halve a lane.
      reservedConcurrentExecutions: 1,
      environment: {
        LIVE_MAPPING_ID: live.mappingId,
        BACKFILL_MAPPING_ID: backfill.mappingId,
        PAGE_QUEUE_URL: live.queue.queueUrl,
        BACKFILL_QUEUE_URL: backfill.queue.queueUrl,
        MAX_CONCURRENCY: String(live.cap),
        BACKFILL_CONCURRENCY: String(backfill.cap),
        ADAPTIVE_CONCURRENCY: String(props.adaptive),
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: props.namespace,
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
    const role = this.fn.role;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
        resources: [live.mappingId, backfill.mappingId].map((uuid) =>
          stack.formatArn({
            service: 'lambda',
            resource: 'event-source-mapping',
            resourceName: uuid,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    for (const lane of [live, backfill]) lane.queue.grant(role, 'sqs:GetQueueAttributes');
    role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData and X-Ray (tracing ACTIVE: xray:PutTraceSegments, xray:PutTelemetryRecords) ' +
        'support no resource-level permissions, so AWS requires Resource "*".',
    });
    this.rule = new events.Rule(this, 'EveryMinute', {
      description: "Runs the concurrency governor: the worker's lanes follow the 8x8 API's answers",
      schedule: events.Schedule.rate(Duration.minutes(1)),
      // A missed minute is made up by the next one, which reads the same metric: no retries, no DLQ.
      targets: [
        new targets.LambdaFunction(this.fn.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
      ],
    });
  }
}
