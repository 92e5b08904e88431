import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { LakeConfigError, parseLakeConfig, pbxIdsEnv } from '../../infra/config.js';

describe('parseLakeConfig', () => {
  it('defaults every key', () => {
    expect(parseLakeConfig({})).toEqual({
      stackName: 'WorkAnalyticsLake',
      lakeName: 'work_analytics_lake',
      pbxIds: 'allpbxes',
      schedule: 'rate(1 hour)',
      gridMinutes: 60,
      settleMinutes: 120,
      maxRestarts: 3,
      legsFilterField: 'disconnectedTimeUTC',
      recordsFilterField: 'disconnectedTimeUTC',
      pageSize: 7000,
      tables: ['call-legs', 'call-records'],
      baseUrl: 'https://api.8x8.com/analytics/work',
      horizonDays: 2,
      staleAfterMinutes: 120,
      maxRerunDays: 31,
      maxConcurrency: 10,
      freshnessHours: 3,
      bytesScannedCutoffGb: 10,
      firstDay: '2020-01-01',
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
    [{ schedule: 'every hour' }, 'schedule', /rate\(1 hour\)/],
    [{ tables: 'call-legs,calls' }, 'tables', /call-legs, call-records/],
    [{ pbxIds: 'pbx one' }, 'pbxIds', /PBX/],
    [{ alarmEmail: 'ops' }, 'alarmEmail', /e-mail/],
    [{ baseUrl: 'http://api.8x8.com' }, 'baseUrl', /https/],
    [{ freshnessHours: 25 }, 'freshnessHours', /from 1 to 24/],
    [{ bytesScannedCutoffGb: 0 }, 'bytesScannedCutoffGb', /0\.01/],
    [{ firstDay: '2020-1-1' }, 'firstDay', /YYYY-MM-DD/],
    [{ maxRestarts: 21 }, 'maxRestarts', /from 0 to 20/],
    [{ recordsFilterField: 'startTime' }, 'recordsFilterField', /disconnectedTimeUTC.*startTimeUTC/],
    [{ legsFilterField: 'startTimeUTC' }, 'legsFilterField', /disconnectedTimeUTC.*connectTimeUTC/],
  ])('refuses %j naming %s', (context, key, why) => {
    const error = (() => {
      try {
        parseLakeConfig(context);
      } catch (e) {
        return e as Error;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(LakeConfigError);
    expect(error.message).toContain(`${key}: `);
    expect(error.message).toMatch(why);
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
