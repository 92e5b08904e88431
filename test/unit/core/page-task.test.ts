import { describe, expect, it } from 'vitest';
import { pageQueryOf } from '../../../functions/core/page-query.js';
import {
  ChainIdSchema,
  chainIdOf,
  dedupId,
  filterFieldOf,
  firstPageTask,
  MAX_PAGE,
  MAX_SCROLL_ID_LENGTH,
  newChainId,
  type PageTask,
  PbxScopeError,
  PbxScopeSchema,
  parsePageTask,
  pbxScope,
  pbxScopeOfList,
} from '../../../functions/core/page-task.js';

const CHAIN = 'k3x9q0w2m1zp';
const page1: PageTask = {
  v: 2,
  table: 'call-legs',
  window: '20261127T0100Z-60m',
  pbx: 'allpbxes',
  attempt: 1,
  chain: CHAIN,
  page: 1,
  rowsSoFar: 0,
  droppedSoFar: 0,
  beforeSoFar: 0,
  quarantinedSoFar: 0,
  mismatchedSoFar: 0,
  lane: 'live',
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
  beforeSoFar: 2,
  quarantinedSoFar: 1,
  mismatchedSoFar: 3,
};

describe('parsePageTask', () => {
  it.each([
    ['page 1', page1],
    ['a later page', page3],
    ['a PBX list', { ...page1, pbx: ['acme', 'acme2'] }],
    ['call records', { ...page1, table: 'call-records' }],
    ['a base64url cursor with padding', { ...page3, scrollId: 'ab-_cd+/==' }],
    ['a cursor that is not base64, with spaces (the cursor is opaque)', { ...page3, scrollId: 'No Data' }],
    ['a cursor that is not base64, with a quote and unicode', { ...page3, scrollId: 'abc"déf€' }],
    ['a cursor of the longest length', { ...page3, scrollId: 'A'.repeat(MAX_SCROLL_ID_LENGTH) }],
    ['a filter field of its table', { ...page1, table: 'call-records', filterField: 'startTimeUTC' }],
  ])('accepts %s', (_name, message) => {
    expect(parsePageTask(message)).toEqual({ ok: true, task: message });
  });

  it('fills the counters a task may leave out with 0', () => {
    const { beforeSoFar: _b, quarantinedSoFar: _q, mismatchedSoFar: _m, ...short } = page3;
    expect(parsePageTask(short)).toEqual({
      ok: true,
      task: { ...short, beforeSoFar: 0, quarantinedSoFar: 0, mismatchedSoFar: 0 },
    });
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
    ['version 1 (no chain id)', { ...page1, v: 1 }, /^page task refused: v: /],
    ['another version', { ...page1, v: 3 }, /^page task refused: v: /],
    ['no chain id', { ...page1, chain: undefined }, /chain: /],
    ['a chain id in upper case', { ...page1, chain: 'K3X9Q0W2M1ZP' }, /chain: must be 6 to 32/],
    ['a chain id too short', { ...page1, chain: 'abc' }, /chain: must be 6 to 32/],
    ['a negative counter', { ...page3, quarantinedSoFar: -1 }, /quarantinedSoFar: /],
    [
      'quarantined rows on page 1',
      { ...page1, quarantinedSoFar: 1 },
      /rowsSoFar: counts must be 0 on page 1/,
    ],
    [
      'a filter field of the other table',
      { ...page1, filterField: 'startTimeUTC' },
      /filterField: call-legs filters on one of/,
    ],
    ['an unknown filter field', { ...page1, filterField: 'endTimeUTC' }, /filterField: /],
    ['no version', { ...page1, v: undefined }, /refused: v: /],
    ['an unknown table', { ...page1, table: 'calls' }, /table: /],
    ['a malformed window', { ...page1, window: '2026-11-27T01:00Z' }, /window: must be a grid window id/],
    ['a window off the grid', { ...page1, window: '20261127T0130Z-60m' }, /window: /],
    ['an oversize scrollId', { ...page3, scrollId: 'A'.repeat(MAX_SCROLL_ID_LENGTH + 1) }, /scrollId: /],
    ['a scrollId with a newline', { ...page3, scrollId: 'abc\ndef' }, /scrollId: must be printable text/],
    ['a scrollId with a NUL', { ...page3, scrollId: 'abc\u0000def' }, /scrollId: must be printable text/],
    ['a scrollId with a DEL', { ...page3, scrollId: 'abc\u007f' }, /scrollId: must be printable text/],
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
    ['rows on page 1', { ...page1, rowsSoFar: 5 }, /rowsSoFar: counts must be 0 on page 1/],
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

  it('derives the group id from table, window, PBX scope, attempt and chain', () => {
    expect(chainIdOf(page1)).toBe(`call-legs.20261127T0100Z-60m.all.a1.${CHAIN}`);
    expect(chainIdOf(page3)).toBe(chainIdOf(page1));
    expect(chainIdOf({ ...page1, attempt: 2 })).toBe(`call-legs.20261127T0100Z-60m.all.a2.${CHAIN}`);
    expect(chainIdOf({ ...page1, chain: 'abcdef123456' })).not.toBe(chainIdOf(page1));
  });

  it('mints chain ids that fit their schema and do not repeat', () => {
    const ids = Array.from({ length: 1000 }, () => newChainId());
    for (const id of ids) expect(ChainIdSchema.safeParse(id).success).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('hashes a PBX list into a short stable tag', () => {
    const a = chainIdOf({ ...page1, pbx: ['acme', 'acme2'] });
    expect(a).toMatch(/^call-legs\.20261127T0100Z-60m\.p[0-9a-f]{16}\.a1\.k3x9q0w2m1zp$/);
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
      chain: 'z'.repeat(32),
      page: MAX_PAGE,
    };
    expect(chainIdOf(longest)).toMatch(sqsId);
    expect(dedupId(longest)).toMatch(sqsId);
  });

  it('appends the page to make the dedup id', () => {
    expect(dedupId(page3)).toBe(`call-legs.20261127T0100Z-60m.all.a1.${CHAIN}.p3`);
    expect(dedupId(page1)).not.toBe(dedupId(page3));
  });
});

describe('building tasks', () => {
  it('sorts and de-duplicates a PBX list', () => {
    expect(pbxScope(['b', 'a', 'b'])).toEqual(['a', 'b']);
    expect(pbxScope('allpbxes')).toBe('allpbxes');
  });

  it('starts a chain at page 1 with nothing counted', () => {
    const { table, window, pbx, attempt, chain, pageSize, isConnectTime, isSimplified } = page1;
    const start = { table, window, pbx, attempt, chain, pageSize, isConnectTime, isSimplified };
    expect(firstPageTask(start)).toEqual(page1);
    expect(firstPageTask({ ...start, filterField: 'connectTimeUTC' })).toEqual({
      ...page1,
      filterField: 'connectTimeUTC',
    });
  });

  it("filters on the task's field, else the table's default", () => {
    expect(filterFieldOf(page1)).toBe('disconnectedTimeUTC');
    expect(filterFieldOf({ ...page1, isConnectTime: true })).toBe('connectTimeUTC');
    expect(filterFieldOf({ ...page1, filterField: 'connectTimeUTC' })).toBe('connectTimeUTC');
    expect(filterFieldOf({ ...page1, table: 'call-records', filterField: 'startTimeUTC' })).toBe(
      'startTimeUTC',
    );
  });

  it('asks the API for the window in UTC, from a second before its start, with the legs flags', () => {
    expect(pageQueryOf(page1)).toEqual({
      table: 'call-legs',
      pbx: 'allpbxes',
      startMs: Date.UTC(2026, 10, 27, 1) - 1000,
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
      startMs: Date.UTC(2026, 10, 27, 1) - 1000,
      endMs: Date.UTC(2026, 10, 27, 2),
      timeZone: 'UTC',
      pageSize: 50,
      scrollId: page3.scrollId,
    });
  });
});

describe('reading a PBX list', () => {
  it.each([
    ['allpbxes', 'allpbxes'],
    ['allpbxes,', 'allpbxes'],
    [' allpbxes ', 'allpbxes'],
    ['b, a,,b,', ['a', 'b']],
  ])('reads %j as %j', (text, scope) => {
    expect(pbxScopeOfList(text)).toEqual(scope);
  });

  it.each([
    ['acmecorp2,allpbxes', /mixes allpbxes with PBX names/],
    ['allpbxes,allpbxes,acmecorp', /mixes allpbxes/],
    ['AllPbxes', /"AllPbxes" is not a PBX name: write allpbxes \(lower case\)/],
    [',', /no PBX id/],
    ['a b', /PBX name/],
  ])('refuses %j, saying what to write', (text, message) => {
    expect(() => pbxScopeOfList(text)).toThrow(PbxScopeError);
    expect(() => pbxScopeOfList(text)).toThrow(message);
  });

  it('refuses allpbxes in any spelling inside a scope, wherever a scope is read (tasks, ledger, control)', () => {
    expect(PbxScopeSchema.safeParse(['ALLPBXES']).success).toBe(false);
    expect(PbxScopeSchema.safeParse(['acmecorp', 'allpbxes']).success).toBe(false);
    expect(PbxScopeSchema.safeParse(['acmecorp']).success).toBe(true);
  });
});
