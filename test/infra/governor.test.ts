import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf, render, resourcesOf } from './cfn.js';
import { type SynthesizedLake, sharedLake, synthLake } from './synth.js';

let lake: SynthesizedLake;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  lake.stack.getLogicalId(construct.node.defaultChild as CfnElement);

beforeAll(() => {
  lake = sharedLake();
});

/** The worker's two SQS event sources, by the queue they read. */
function mappings(template = lake.template) {
  return resourcesOf(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => render(m.Properties?.FunctionName) === `<${id(lake.stack.worker.fn)}>`,
  );
}

describe('the concurrency governor', () => {
  it("runs once a minute, one at a time, with each lane's event source, queue and cap", () => {
    const governor = lake.stack.governor.fn.fn;
    const [, fn] = resourcesOf(lake.template, 'AWS::Lambda::Function').find(
      ([name]) => name === id(governor),
    ) ?? ['', {}];
    expect(fn.Properties?.ReservedConcurrentExecutions).toBe(1);
    const env = (fn.Properties?.Environment ?? { Variables: {} }) as { Variables: Record<string, unknown> };
    const vars = env.Variables;
    const byQueue = new Map(mappings().map(([name, m]) => [render(m.Properties?.EventSourceArn), name]));
    expect(render(vars.LIVE_MAPPING_ID)).toBe(`<${byQueue.get(`<${id(lake.stack.pageQueue.queue)}.Arn>`)}>`);
    expect(render(vars.BACKFILL_MAPPING_ID)).toBe(
      `<${byQueue.get(`<${id(lake.stack.backfillQueue.queue)}.Arn>`)}>`,
    );
    // Each lane's cap is the one its event source starts at.
    const start = (queue: string) =>
      mappings().find(([, m]) => render(m.Properties?.EventSourceArn) === `<${queue}.Arn>`)?.[1].Properties
        ?.ScalingConfig as { MaximumConcurrency: number };
    expect(vars.MAX_CONCURRENCY).toBe(String(start(id(lake.stack.pageQueue.queue)).MaximumConcurrency));
    expect(vars.BACKFILL_CONCURRENCY).toBe(
      String(start(id(lake.stack.backfillQueue.queue)).MaximumConcurrency),
    );
    expect(vars.ADAPTIVE_CONCURRENCY).toBe('true');
    const [[, rule] = ['', {}]] = resourcesOf(lake.template, 'AWS::Events::Rule');
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(render(((rule.Properties?.Targets ?? []) as { Arn: unknown }[])[0]?.Arn)).toBe(
      `<${id(governor)}.Arn>`,
    );
  });

  it('may change only the two event sources, read only their queues, and read metrics', () => {
    const grants = permissionsOf(lake.template, id(lake.stack.governor.fn.role));
    const lambdaGrants = grants.filter((g) => g.action.startsWith('lambda:'));
    expect(new Set(lambdaGrants.map((g) => g.action))).toEqual(
      new Set(['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping']),
    );
    const names = mappings().map(([name]) => name);
    expect(names).toHaveLength(2);
    for (const grant of lambdaGrants)
      expect(names.some((name) => grant.resource.endsWith(`:event-source-mapping:<${name}>`))).toBe(true);
    expect(lambdaGrants).toHaveLength(4);
    const sqs = grants.filter((g) => g.action.startsWith('sqs:'));
    expect(new Set(sqs.map((g) => g.action))).toEqual(new Set(['sqs:GetQueueAttributes']));
    expect(new Set(sqs.map((g) => g.resource))).toEqual(
      new Set([`<${id(lake.stack.pageQueue.queue)}.Arn>`, `<${id(lake.stack.backfillQueue.queue)}.Arn>`]),
    );
    const wildcard = grants.filter((g) => g.resource === '*').map((g) => g.action);
    expect(new Set(wildcard)).toEqual(
      new Set(['cloudwatch:GetMetricData', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords']),
    );
    expect(grants.some((g) => g.action.startsWith('s3:') || g.action.startsWith('secretsmanager:'))).toBe(
      false,
    );
  });

  it('keeps the caps when adaptiveConcurrency is off', () => {
    const variant = synthLake({ adaptiveConcurrency: 'false', maxConcurrency: '20' });
    const env = resourcesOf(variant.template, 'AWS::Lambda::Function')
      .map(([, f]) => (f.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables)
      .find((v) => v?.LIVE_MAPPING_ID !== undefined);
    expect(env).toMatchObject({ ADAPTIVE_CONCURRENCY: 'false', MAX_CONCURRENCY: '20' });
  });
});

describe('the dashboard', () => {
  it("shows every alarm's state, the lake's landing, the API, both lanes and the functions, named by the stack", () => {
    const [[, dashboard] = ['', {}]] = resourcesOf(lake.template, 'AWS::CloudWatch::Dashboard');
    expect(dashboard.Properties?.DashboardName).toBe(lake.stack.stackName);
    const body = render(dashboard.Properties?.DashboardBody);
    const alarms = resourcesOf(lake.template, 'AWS::CloudWatch::Alarm').map(([name]) => name);
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) expect(body).toContain(`<${alarm}.Arn>`);
    for (const title of [
      'Windows',
      'Rows',
      '8x8 API',
      'Page tasks waiting',
      'Dead-letter queues',
      'Function errors',
    ])
      expect(body).toContain(`"title":"${title}"`);
    expect(lake.template.toJSON().Outputs.DashboardUrl).toBeDefined();
  });

  it('is left out with dashboard=false', () => {
    const variant = synthLake({ dashboard: 'false' });
    expect(resourcesOf(variant.template, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    expect(variant.template.toJSON().Outputs.DashboardUrl).toBeUndefined();
  });
});
