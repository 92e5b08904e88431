import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { SCHEDULE_SOURCE } from '../../functions/core/schedule-tick.js';

export interface PlannerScheduleProps {
  /** An EventBridge Scheduler `rate(…)` or `cron(…)` expression, in UTC. */
  readonly expression: string;
  readonly planner: lambda.Function;
}

/**
 * The planner's tick: an EventBridge Scheduler schedule (UTC) in the default group. Its payload carries the
 * tick's own time (`scheduledTime`), so that a retried or late invocation plans the windows of its tick, not
 * of the moment it runs. A missed tick is caught up by the next one (the planner works from the ledger), so
 * the target has retries and no dead-letter queue.
 */
export class PlannerSchedule extends Construct {
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: PlannerScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'Role', {
      description: 'EventBridge Scheduler invokes the planner (role)',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: 'default',
            }),
          },
        },
      }),
    });
    const fnId = stack.getLogicalId(props.planner.node.defaultChild as lambda.CfnFunction);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`,
      reason:
        'grantInvoke allows the planner function and its versions and aliases (<arn>:*): one function, and the ' +
        'schedule invokes it unqualified.',
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Runs the planner: queues windows that are due or not yet settled',
      schedule: scheduler.ScheduleExpression.expression(props.expression, TimeZone.ETC_UTC),
      target: new LambdaInvoke(props.planner, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject({
          source: SCHEDULE_SOURCE,
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
        }),
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    });
  }
}
