import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import {
  assertKnownContextKeys,
  commandLineOnly,
  commandLineWarning,
  gridSchedule,
  LakeConfigError,
  metricsIdentity,
  parseLakeConfig,
  pbxIdsEnv,
  scheduleMinutes,
  scheduleProblem,
} from '../../infra/config.js';

const refusal = (context: Record<string, unknown>): Error => {
  try {
    parseLakeConfig(context);
  } catch (e) {
    return e as Error;
  }
  throw new Error(`accepted ${JSON.stringify(context)}`);
};

describe('parseLakeConfig', () => {
  it('defaults every key', () => {
    expect(parseLakeConfig({})).toEqual({
      stackName: 'WorkAnalyticsLake',
      lakeName: 'work_analytics_lake',
      pbxIds: 'allpbxes',
      schedule: 'cron(0 * * * ? *)',
      gridMinutes: 60,
      settleMinutes: 120,
      maxRestarts: 3,
      isConnectTime: false,
      isSimplified: false,
      endOnLastDataPage: true,
      adaptiveConcurrency: true,
      dashboard: true,
      maxChainsPerRun: 2000,
      legsFilterField: 'disconnectedTimeUTC',
      recordsFilterField: 'disconnectedTimeUTC',
      pageSize: 7000,
      tables: ['call-legs', 'call-records'],
      baseUrl: 'https://api.8x8.com/analytics/work',
      horizonDays: 2,
      staleAfterMinutes: 120,
      maxRerunDays: 31,
      maxConcurrency: 10,
      backfillConcurrency: 5,
      freshnessHours: 3,
      bytesScannedCutoffGb: 10,
      apiRetriesPerHour: 100,
      alarmKeyRemovalPolicy: 'destroy',
      dataEncryption: 'sse-s3',
    });
  });

  it('reads command-line strings as numbers and comma lists', () => {
    const config = parseLakeConfig({
      gridMinutes: '15',
      pageSize: '500',
      maxConcurrency: '50',
      bytesScannedCutoffGb: '2.5',
      tables: 'call-records',
      pbxIds: 'pbx-b, pbx-a,pbx-b',
      schedule: 'cron(0/15 * * * ? *)',
    });
    expect(config).toMatchObject({
      gridMinutes: 15,
      pageSize: 500,
      maxConcurrency: 50,
      bytesScannedCutoffGb: 2.5,
      tables: ['call-records'],
      pbxIds: ['pbx-a', 'pbx-b'],
      schedule: 'cron(0/15 * * * ? *)',
    });
    expect(pbxIdsEnv(config)).toBe('pbx-a,pbx-b');
  });

  it('reads flags as JSON booleans or as -c text', () => {
    expect(parseLakeConfig({ isConnectTime: 'true', isSimplified: true })).toMatchObject({
      isConnectTime: true,
      isSimplified: true,
    });
    expect(parseLakeConfig({ endOnLastDataPage: 'false' })).toMatchObject({ endOnLastDataPage: false });
    expect(parseLakeConfig({ endOnLastDataPage: false })).toMatchObject({ endOnLastDataPage: false });
  });

  it('reads JSON arrays from cdk.json', () => {
    expect(parseLakeConfig({ pbxIds: ['allpbxes'], tables: ['call-legs'] })).toMatchObject({
      pbxIds: 'allpbxes',
      tables: ['call-legs'],
    });
  });

  it.each([
    [{ gridMinutes: 7 }, 'gridMinutes', /divides 1440/],
    [{ gridMinutes: 'hourly' }, 'gridMinutes', /whole number/],
    [{ pageSize: 0 }, 'pageSize', /from 1 to 7000/],
    [{ pageSize: 7001 }, 'pageSize', /from 1 to 7000/],
    [{ maxConcurrency: 1 }, 'maxConcurrency', /from 2 to 1000/],
    [{ maxConcurrency: 1001 }, 'maxConcurrency', /from 2 to 1000/],
    [
      { secretName: 'wa', secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wa-AbCdEf' },
      'secretArn',
      /secretName or secretArn, not both/,
    ],
    [{ secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:wa' }, 'secretArn', /complete ARN/],
    [{ tables: 'call-legs,calls' }, 'tables', /call-legs, call-records/],
    [{ pbxIds: 'pbx one' }, 'pbxIds', /PBX/],
    [{ pbxIds: 'acmecorp2,allpbxes' }, 'pbxIds', /allpbxes stands alone/],
    [{ pbxIds: ['AllPbxes'] }, 'pbxIds', /allpbxes stands alone, in lower case/],
    [{ alarmEmail: 'ops' }, 'alarmEmail', /e-mail/],
    [{ baseUrl: 'http://api.8x8.com' }, 'baseUrl', /https/],
    [{ freshnessHours: 25 }, 'freshnessHours', /from 1 to 24/],
    [{ bytesScannedCutoffGb: 0 }, 'bytesScannedCutoffGb', /0\.01/],
    [{ firstDay: '2020-1-1' }, 'firstDay', /YYYY-MM-DD/],
    [{ maxRestarts: 21 }, 'maxRestarts', /from 0 to 20/],
    [{ isConnectTime: 'yes' }, 'isConnectTime', /must be true or false/],
    [{ recordsFilterField: 'startTime' }, 'recordsFilterField', /disconnectedTimeUTC.*startTimeUTC/],
    [{ legsFilterField: 'startTimeUTC' }, 'legsFilterField', /disconnectedTimeUTC.*connectTimeUTC/],
    [{ secretKmsKeyArn: 'alias/wa' }, 'secretKmsKeyArn', /ARN of a KMS key/],
    [
      { secretName: 'wa', secretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:alias/wa' },
      'secretKmsKeyArn',
      /not an alias/,
    ],
    [
      { secretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      'secretKmsKeyArn',
      /imported secret: give secretName or secretArn/,
    ],
    [{ lakeName: 'Acme-Calls' }, 'lakeName', /Glue database name/],
    [
      { reservedConcurrency: 14 },
      'reservedConcurrency',
      /at least maxConcurrency \+ backfillConcurrency \(15\)/,
    ],
    [{ reservedConcurrency: 2 }, 'reservedConcurrency', /from 4 to 10000/],
    [{ apiRetriesPerHour: 0 }, 'apiRetriesPerHour', /from 1 to/],
    [{ alarmKeyRemovalPolicy: 'snapshot' }, 'alarmKeyRemovalPolicy', /destroy.*retain/],
    [{ dataEncryption: 'kms' }, 'dataEncryption', /sse-s3.*sse-kms/],
  ])('refuses %j naming %s', (context, key, why) => {
    const error = refusal(context);
    expect(error).toBeInstanceOf(LakeConfigError);
    expect(error.message).toContain(`${key}: `);
    expect(error.message).toMatch(why);
  });
});

describe('schedule, as EventBridge reads it', () => {
  it.each([
    [1, 'cron(0/1 * * * ? *)'],
    [15, 'cron(0/15 * * * ? *)'],
    [30, 'cron(0/30 * * * ? *)'],
    [60, 'cron(0 * * * ? *)'],
    [120, 'cron(0 0/2 * * ? *)'],
    [360, 'cron(0 0/6 * * ? *)'],
    [1440, 'cron(0 0 * * ? *)'],
    [90, 'rate(90 minutes)'],
    [45, 'rate(45 minutes)'],
  ])('ticks once per grid period by default: a %i-minute grid runs on %s', (gridMinutes, schedule) => {
    const config = parseLakeConfig({ gridMinutes });
    expect(config.schedule).toBe(schedule);
    expect(gridSchedule(gridMinutes)).toBe(schedule);
    expect(scheduleProblem(schedule)).toBeUndefined();
  });

  it('keeps a schedule given explicitly, whatever the grid', () => {
    expect(parseLakeConfig({ gridMinutes: 15, schedule: 'rate(5 minutes)' }).schedule).toBe(
      'rate(5 minutes)',
    );
  });

  it('accepts a reserved concurrency that leaves room for both lanes, from -c text too', () => {
    expect(parseLakeConfig({ reservedConcurrency: '15' }).reservedConcurrency).toBe(15);
    expect(parseLakeConfig({ maxConcurrency: 30, reservedConcurrency: 35 }).reservedConcurrency).toBe(35);
  });

  it.each([
    ['rate(1 minute)', 1],
    ['rate(5 minutes)', 5],
    ['rate(1 hour)', 60],
    ['rate(2 hours)', 120],
    ['rate(1 day)', 1440],
    ['rate(3 days)', 4320],
    ['cron(0 * * * ? *)', undefined],
    ['cron(0/15 * * * ? *)', undefined],
    ['cron(5 6 ? * MON-FRI *)', undefined],
    ['cron(0 12 1 * ? 2026-2030)', undefined],
    ['cron(0 18 ? * 6#3 *)', undefined],
  ])('accepts %s (%s minutes apart)', (schedule, minutes) => {
    expect(parseLakeConfig({ schedule }).schedule).toBe(schedule);
    expect(scheduleMinutes(schedule)).toBe(minutes);
  });

  it.each([
    ['rate(2 hour)', /rate\(2 hours\)/],
    ['rate(1 hours)', /rate\(1 hour\)/],
    ['rate(1 minutes)', /rate\(1 minute\)/],
    ['rate(0 minutes)', /1 or more/],
    ['rate(5 weeks)', /minute\(s\), hour\(s\) or day\(s\)/],
    ['rate(1.5 hours)', /rate\(1 hour\)' or 'cron/],
    ['cron(0 * * * * *)', /exactly one of .*day-of-month and day-of-week/],
    ['cron(0 * ? * ? *)', /exactly one of/],
    ['cron(0 * * * ?)', /6 fields/],
    ['cron(0 * * * ? * *)', /6 fields/],
    ['cron(0 25h * * ? *)', /hours field/],
    ['every hour', /rate\(1 hour\)' or 'cron/],
  ])('refuses %s at synth, naming the key', (schedule, why) => {
    const error = refusal({ schedule });
    expect(error).toBeInstanceOf(LakeConfigError);
    expect(error.message).toContain('schedule: ');
    expect(error.message).toMatch(why);
    expect(() => buildApp({ schedule })).toThrow(/Invalid cdk context \(schedule: /);
  });
});

describe('names of one stack among others in the account', () => {
  it.each([
    ['WorkAnalyticsLake', 'work_analytics_lake', 'work-analytics-lake'],
    ['WorkAnalyticsLake-dev', 'work_analytics_lake_dev', 'work-analytics-lake-dev'],
    ['CallsProd', 'calls_prod', 'calls-prod'],
  ])('derives the lake name, namespace and service from stack %s', (stackName, lakeName, service) => {
    expect(parseLakeConfig({ stackName }).lakeName).toBe(lakeName);
    expect(metricsIdentity({ stackName })).toEqual({ namespace: stackName, service });
  });

  it('keeps a lakeName given explicitly', () => {
    expect(parseLakeConfig({ stackName: 'CallsProd', lakeName: 'acme' }).lakeName).toBe('acme');
  });

  it('accepts the KMS key of an imported secret', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234567890abcdef1234567890abcdef';
    expect(parseLakeConfig({ secretName: 'wa', secretKmsKeyArn: key }).secretKmsKeyArn).toBe(key);
  });
});

describe('buildApp', () => {
  it('fails on a bad context before building anything, naming the key', () => {
    expect(() => buildApp({ gridMinutes: 7 })).toThrow(/Invalid cdk context \(gridMinutes: .*divides 1440/);
    expect(() => buildApp({ pageSize: 0 })).toThrow(/pageSize: /);
    expect(() =>
      buildApp({
        secretName: 'a',
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-AbCdEf',
      }),
    ).toThrow(/secretArn: give secretName or secretArn, not both/);
  });
});

describe('unknown context keys', () => {
  it('refuses a typo of a key, naming the key it meant, before anything is synthesized', () => {
    expect(() => buildApp({ pbxId: 'acmecorp' })).toThrow(LakeConfigError);
    expect(() => buildApp({ pbxId: 'acmecorp' })).toThrow(
      /Unknown cdk context key "pbxId"\. Did you mean "pbxIds"\?/,
    );
  });

  it('lets the CDK own keys and feature flags pass', () => {
    expect(() =>
      assertKnownContextKeys({
        '@aws-cdk/core:checkSecretUsage': true,
        'aws:cdk:bundling-stacks': [],
        'availability-zones:account=123456789012:region=eu-west-1': ['a'],
        pbxIds: 'acmecorp',
      }),
    ).not.toThrow();
  });
});

describe('settings given with -c only', () => {
  it('are named, with where to keep them, when they differ from what cdk.json keeps', () => {
    const kept = { pbxIds: 'acmecorp', '@aws-cdk/core:checkSecretUsage': true };
    const keys = commandLineOnly(
      { ...kept, pbxIds: 'acmecorp', alarmEmail: 'ops@example.com', maxConcurrency: '20' },
      kept,
    );
    expect(keys).toEqual(['alarmEmail', 'maxConcurrency']);
    expect(commandLineWarning(keys)).toBe(
      'note: alarmEmail, maxConcurrency were set with -c only: the next cdk deploy without them goes back to ' +
        `cdk.json's value or the default. Keep them in the "context" of cdk.json (README, Configuration).`,
    );
    expect(commandLineOnly({ pbxIds: 'other' }, kept)).toEqual(['pbxIds']);
    expect(commandLineWarning(commandLineOnly(kept, kept))).toBeUndefined();
  });
});
