import { describe, expect, it } from 'vitest';
import { pageQueryOf } from '../../../functions/core/page-query.js';
import {
  chainIdOf,
  dedupId,
  firstPageTask,
  MAX_PAGE,
  type PageTask,
  parsePageTask,
  pbxScope,
} from '../../../functions/core/page-task.js';

const page1: PageTask = {
  v: 1,
  table: 'call-legs',
  window: '20261127T0100Z-60m',
  pbx: 'allpbxes',
  attempt: 1,
  page: 1,
  rowsSoFar: 0,
  droppedSoFar: 0,
  isConnectTime: false,
  isSimplified: false,
  pageSize: 7000,
};
const page3: PageTask = {
  ...page1,
  page: 3,
  scrollId: 'c3VwZXJ0ZW5hbnRjc21fMTYzNTU3MTA0ODM0NV8xXzE2NDM4OTc0OTI5MDM',
  firstPageTotal: 20_000,
  rowsSoFar: 14_000,
};

describe('parsePageTask', () => {
  it.each([
    ['page 1', page1],
    ['a later page', page3],
    ['a PBX list', { ...page1, pbx: ['acme', 'acme2'] }],
    ['call records', { ...page1, table: 'call-records' }],
    ['a base64url cursor with padding', { ...page3, scrollId: 'ab-_cd+/==' }],
  ])('accepts %s', (_name, message) => {
    expect(parsePageTask(message)).toEqual({ ok: true, task: message });
  });

  it('accepts the SQS body text', () => {
    expect(parsePageTask(JSON.stringify(page3))).toEqual({ ok: true, task: page3 });
  });

  it.each<[string, unknown, RegExp]>([
    ['a body that is not JSON', '{"v":1,', /not JSON/],
    ['an unknown field', { ...page1, foo: 1 }, /unknown field foo/],
    [
      'a token',
      { ...page1, token: 'eyJ' },
      /unknown field token \(a task must never carry a token or credential\)/,
    ],
    ['an access token', { ...page1, accessToken: 'eyJ' }, /accessToken.*never carry a token/],
    ['a password', { ...page1, password: 'x' }, /password.*never carry a token/],
    ['an API key', { ...page1, apiKey: 'x' }, /apiKey.*never carry a token/],
    ['another version', { ...page1, v: 2 }, /^page task refused: v: /],
    ['no version', { ...page1, v: undefined }, /refused: v: /],
    ['an unknown table', { ...page1, table: 'calls' }, /table: /],
    ['a malformed window', { ...page1, window: '2026-11-27T01:00Z' }, /window: must be a grid window id/],
    ['a window off the grid', { ...page1, window: '20261127T0130Z-60m' }, /window: /],
    ['an oversize scrollId', { ...page3, scrollId: 'A'.repeat(2049) }, /scrollId: /],
    ['a scrollId with spaces', { ...page3, scrollId: 'No Data' }, /scrollId: must be base64/],
    ['a scrollId with a quote', { ...page3, scrollId: 'abc"def' }, /scrollId: must be base64/],
    ['an empty scrollId', { ...page3, scrollId: '' }, /scrollId: /],
    ['a page over the cap', { ...page3, page: MAX_PAGE + 1 }, /page: /],
    ['page 0', { ...page1, page: 0 }, /page: /],
    ['a fractional page', { ...page3, page: 2.5 }, /page: /],
    [
      'a later page without a scrollId',
      { ...page3, scrollId: undefined },
      /scrollId: is required after page 1/,
    ],
    [
      'a later page without its total',
      { ...page3, firstPageTotal: undefined },
      /firstPageTotal: is required/,
    ],
    ['a total on page 1', { ...page1, firstPageTotal: 5 }, /firstPageTotal: is only known after page 1/],
    ['rows on page 1', { ...page1, rowsSoFar: 5 }, /rowsSoFar: must be 0/],
    ['a page size over 7000', { ...page1, pageSize: 7001 }, /pageSize: /],
    ['a page size of 0', { ...page1, pageSize: 0 }, /pageSize: /],
    ['attempt 0', { ...page1, attempt: 0 }, /attempt: /],
    ['an unsorted PBX list', { ...page1, pbx: ['b', 'a'] }, /pbx: .*sorted/],
    ['a duplicated PBX', { ...page1, pbx: ['a', 'a'] }, /pbx: .*sorted and unique/],
    ['a PBX with a comma', { ...page1, pbx: ['a,b'] }, /pbx.0: must be a PBX name/],
    ['an empty PBX list', { ...page1, pbx: [] }, /pbx: /],
    [
      'isConnectTime on call records',
      { ...page1, table: 'call-records', isConnectTime: true },
      /call-legs only/,
    ],
    ['a missing flag', { ...page1, isSimplified: undefined }, /isSimplified: /],
  ])('refuses %s, naming the field', (_name, message, error) => {
    const result = parsePageTask(message);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe('chain and dedup ids', () => {
  const sqsId = /^[A-Za-z0-9!-~]{1,128}$/;

  it('derives the chain id from table, window, PBX scope and attempt', () => {
    expect(chainIdOf(page1)).toBe('call-legs.20261127T0100Z-60m.all.a1');
    expect(chainIdOf(page3)).toBe(chainIdOf(page1));
    expect(chainIdOf({ ...page1, attempt: 2 })).toBe('call-legs.20261127T0100Z-60m.all.a2');
  });

  it('hashes a PBX list into a short stable tag', () => {
    const a = chainIdOf({ ...page1, pbx: ['acme', 'acme2'] });
    expect(a).toMatch(/^call-legs\.20261127T0100Z-60m\.p[0-9a-f]{16}\.a1$/);
    expect(chainIdOf({ ...page1, pbx: ['acme', 'acme2'] })).toBe(a);
    expect(chainIdOf({ ...page1, pbx: ['acme'] })).not.toBe(a);
  });

  it('fits an SQS MessageGroupId and MessageDeduplicationId at the longest', () => {
    const longest: PageTask = {
      ...page3,
      table: 'call-records',
      window: '20261127T0000Z-1440m',
      pbx: Array.from({ length: 100 }, (_, i) => `pbx${String(i).padStart(3, '0')}`),
      attempt: Number.MAX_SAFE_INTEGER,
      page: MAX_PAGE,
    };
    expect(chainIdOf(longest)).toMatch(sqsId);
    expect(dedupId(longest)).toMatch(sqsId);
  });

  it('appends the page to make the dedup id', () => {
    expect(dedupId(page3)).toBe('call-legs.20261127T0100Z-60m.all.a1.p3');
    expect(dedupId(page1)).not.toBe(dedupId(page3));
  });
});

describe('building tasks', () => {
  it('sorts and de-duplicates a PBX list', () => {
    expect(pbxScope(['b', 'a', 'b'])).toEqual(['a', 'b']);
    expect(pbxScope('allpbxes')).toBe('allpbxes');
  });

  it('starts a chain at page 1 with nothing counted', () => {
    const { table, window, pbx, attempt, pageSize, isConnectTime, isSimplified } = page1;
    expect(firstPageTask({ table, window, pbx, attempt, pageSize, isConnectTime, isSimplified })).toEqual(
      page1,
    );
  });

  it('asks the API for the window in UTC with the legs flags', () => {
    expect(pageQueryOf(page1)).toEqual({
      table: 'call-legs',
      pbx: 'allpbxes',
      startMs: Date.UTC(2026, 10, 27, 1),
      endMs: Date.UTC(2026, 10, 27, 2),
      timeZone: 'UTC',
      pageSize: 7000,
      isConnectTime: false,
      isSimplified: false,
    });
  });

  it('carries the cursor and the PBX list, and no legs flags for call records', () => {
    const task: PageTask = { ...page3, table: 'call-records', pbx: ['acme', 'acme2'], pageSize: 50 };
    expect(pageQueryOf(task)).toEqual({
      table: 'call-records',
      pbx: ['acme', 'acme2'],
      startMs: Date.UTC(2026, 10, 27, 1),
      endMs: Date.UTC(2026, 10, 27, 2),
      timeZone: 'UTC',
      pageSize: 50,
      scrollId: page3.scrollId,
    });
  });
});
