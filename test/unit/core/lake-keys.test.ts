import { describe, expect, it } from 'vitest';
import {
  lakeKey,
  ledgerKey,
  ledgerPrefix,
  MANIFEST_KEY,
  quarantineKey,
  stagingKey,
  stagingPrefix,
} from '../../../functions/core/lake-keys.js';
import { apiPath, isTable, TABLES, tableFolder } from '../../../functions/core/tables.js';
import { parseWindowId } from '../../../functions/core/windows.js';

const W = parseWindowId('20261127T2300Z-60m');
const C = 'k3x9q0w2m1zp';

describe('tables', () => {
  it('name their folder and API path', () => {
    expect(TABLES.map((t) => [t, tableFolder(t), apiPath(t)])).toEqual([
      ['call-legs', 'call_legs', '/v2/call-legs'],
      ['call-records', 'call_records', '/v2/call-records'],
    ]);
  });

  it.each([
    ['call-legs', true],
    ['call_legs', false],
    ['cdr', false],
    [undefined, false],
  ])('recognize %s as a table: %s', (value, expected) => {
    expect(isTable(value)).toBe(expected);
  });
});

describe('lake keys', () => {
  it.each([
    [lakeKey('call-legs', W), 'lake/call_legs/dt=2026-11-27/20261127T2300Z-60m.json.gz'],
    [lakeKey('call-records', W), 'lake/call_records/dt=2026-11-27/20261127T2300Z-60m.json.gz'],
    [stagingKey('call-legs', W, C, 1), `staging/call_legs/20261127T2300Z-60m/${C}/page-00001.json.gz`],
    [
      stagingKey('call-records', W, 'abc123', 345),
      'staging/call_records/20261127T2300Z-60m/abc123/page-00345.json.gz',
    ],
    [stagingPrefix('call-legs', W, C), `staging/call_legs/20261127T2300Z-60m/${C}/`],
    [quarantineKey('call-legs', W, C, 7), `quarantine/call_legs/20261127T2300Z-60m/${C}/page-00007.json.gz`],
    [MANIFEST_KEY, 'lake/_manifest.json'],
    [ledgerKey('call-legs', W), 'ledger/call_legs/dt=2026-11-27/20261127T2300Z-60m.json'],
    [ledgerPrefix('call-records'), 'ledger/call_records/'],
    [ledgerPrefix('call-records', '2026-11-27'), 'ledger/call_records/dt=2026-11-27/'],
  ])('%s', (key, expected) => {
    expect(key).toBe(expected);
  });

  it('sorts staged pages in page order', () => {
    const keys = [1, 2, 10, 100, 9999].map((page) => stagingKey('call-legs', W, C, page));
    expect([...keys].reverse().sort()).toEqual(keys);
  });

  it('keeps the pages of two chains of one window apart', () => {
    const other = stagingPrefix('call-legs', W, 'zz9yy8xx7');
    expect(stagingKey('call-legs', W, C, 1).startsWith(other)).toBe(false);
    expect(stagingKey('call-legs', W, C, 1).startsWith(stagingPrefix('call-legs', W, C))).toBe(true);
  });

  it.each([
    ['a chain id too short', () => stagingKey('call-legs', W, 'ab1', 1)],
    ['a chain id with a slash', () => stagingPrefix('call-legs', W, 'abc/../def')],
    ['a quarantine chain id in upper case', () => quarantineKey('call-legs', W, 'ABCDEF', 1)],
    ['page 0', () => stagingKey('call-legs', W, C, 0)],
    ['page 100000', () => stagingKey('call-legs', W, C, 100_000)],
    ['a day that is not YYYY-MM-DD', () => ledgerPrefix('call-legs', '27/11/2026')],
  ])('refuses %s', (_name, call) => {
    expect(call).toThrow(RangeError);
  });
});
