import { describe, expect, it } from 'vitest';
import { PlannerConfigSchema, parseConfig, WorkerConfigSchema } from '../../../functions/handlers/config.js';

const base = {
  DATA_BUCKET: 'walake-data',
  PAGE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/p.fifo',
  SECRET_ID: 's',
};

describe('Lambda configuration from the environment', () => {
  it.each([
    ['allpbxes,', 'allpbxes'],
    [' acmecorp2 , acmecorp ,', ['acmecorp', 'acmecorp2']],
  ])('reads PBX_IDS %j as the CLI reads --pbx: %j', (value, scope) => {
    expect(parseConfig(PlannerConfigSchema, { ...base, PBX_IDS: value }).PBX_IDS).toEqual(scope);
  });

  it.each(['acmecorp2,allpbxes', 'AllPbxes'])('refuses PBX_IDS %j, naming the variable', (value) => {
    expect(() => parseConfig(PlannerConfigSchema, { ...base, PBX_IDS: value })).toThrow(/PBX_IDS.*allpbxes/s);
  });

  it('fills the defaults', () => {
    expect(parseConfig(PlannerConfigSchema, base)).toEqual({
      ...base,
      WA_BASE_URL: 'https://api.8x8.com/analytics/work',
      SETTLE_MINUTES: 120,
      TABLES: ['call-legs', 'call-records'],
      PBX_IDS: 'allpbxes',
      GRID_MINUTES: 60,
      PAGE_SIZE: 7000,
      HORIZON_DAYS: 2,
      STALE_AFTER_MINUTES: 120,
      MAX_RERUN_DAYS: 31,
      MAX_CHAINS_PER_RUN: 2000,
      IS_CONNECT_TIME: false,
      IS_SIMPLIFIED: false,
      END_ON_LAST_DATA_PAGE: true,
      LEGS_FILTER_FIELD: 'disconnectedTimeUTC',
      RECORDS_FILTER_FIELD: 'disconnectedTimeUTC',
    });
  });

  it('reads strings as numbers, lists and booleans', () => {
    const config = parseConfig(PlannerConfigSchema, {
      ...base,
      TABLES: 'call-legs',
      PBX_IDS: 'acme2, acme',
      GRID_MINUTES: '30',
      IS_SIMPLIFIED: 'true',
      RECORDS_FILTER_FIELD: 'startTimeUTC',
    });
    expect(config).toMatchObject({
      TABLES: ['call-legs'],
      PBX_IDS: ['acme', 'acme2'],
      GRID_MINUTES: 30,
      IS_SIMPLIFIED: true,
      RECORDS_FILTER_FIELD: 'startTimeUTC',
    });
  });

  it.each([
    [{ GRID_MINUTES: '7' }, /GRID_MINUTES: .*divide/],
    [{ TABLES: 'calls' }, /TABLES: unknown table calls/],
    [{ PAGE_SIZE: '0' }, /PAGE_SIZE: Too small/],
    [{ PBX_IDS: 'a b' }, /PBX_IDS: /],
    [{ DATA_BUCKET: undefined }, /DATA_BUCKET: /],
    [{ PAGE_QUEUE_URL: 'not a url' }, /PAGE_QUEUE_URL: /],
    [{ RECORDS_FILTER_FIELD: 'connectTimeUTC' }, /RECORDS_FILTER_FIELD: /],
    [{ LEGS_FILTER_FIELD: 'startTimeUTC' }, /LEGS_FILTER_FIELD: /],
  ])('refuses %j, naming the variable', (change, message) => {
    expect(() => parseConfig(PlannerConfigSchema, { ...base, ...change })).toThrow(message);
  });

  it('needs only the common variables for the worker', () => {
    expect(parseConfig(WorkerConfigSchema, base)).toMatchObject({ SETTLE_MINUTES: 120, MAX_RESTARTS: 3 });
    expect(() => parseConfig(WorkerConfigSchema, { ...base, MAX_RESTARTS: '21' })).toThrow(/MAX_RESTARTS: /);
    expect(() => parseConfig(WorkerConfigSchema, {})).toThrow(/DATA_BUCKET: .*PAGE_QUEUE_URL: .*SECRET_ID: /);
  });
});
