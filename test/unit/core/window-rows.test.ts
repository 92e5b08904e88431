import { describe, expect, it } from 'vitest';
import { RowSchemaError } from '../../../functions/core/coerce.js';
import type { Table } from '../../../functions/core/tables.js';
import { filterFieldOf, filterTimeOf, inWindow, windowsFor } from '../../../functions/core/windows.js';

const START = Date.parse('2026-11-27T01:00:00Z');
const END = Date.parse('2026-11-27T02:00:00Z');
const window = { startMs: START, endMs: END };

describe('filterTimeOf', () => {
  const row = { connectTimeUTC: 1000, disconnectedTimeUTC: 2000 };
  it.each<[Table, boolean, number, string]>([
    ['call-legs', false, 2000, 'disconnectedTimeUTC'],
    ['call-legs', true, 1000, 'connectTimeUTC'],
    ['call-records', false, 2000, 'disconnectedTimeUTC'],
    ['call-records', true, 2000, 'disconnectedTimeUTC'],
  ])('filters %s with isConnectTime=%s on %i (%s)', (table, isConnectTime, expected, field) => {
    expect(filterTimeOf(table, row, { isConnectTime })).toBe(expected);
    expect(filterFieldOf(table, { isConnectTime })).toBe(field);
  });

  it('reads a numeric string as its number', () => {
    expect(
      filterTimeOf('call-legs', { disconnectedTimeUTC: '1643898472253' }, { isConnectTime: false }),
    ).toBe(1643898472253);
  });

  it.each([
    ['is absent', {}],
    ['is 0 (never)', { disconnectedTimeUTC: 0 }],
    ['is not a number', { disconnectedTimeUTC: 'yesterday' }],
  ])('throws a RowSchemaError naming the field when it %s', (_name, row) => {
    const call = () => filterTimeOf('call-records', row, { isConnectTime: false });
    expect(call).toThrow(RowSchemaError);
    expect(call).toThrow(/disconnectedTimeUTC/);
  });
});

describe('the edge rule', () => {
  it.each([
    ['the start stays', START, true],
    ['the last millisecond stays', END - 1, true],
    ['the end goes to the next window', END, false],
    ['the edge second the API also returns is dropped', END + 999, false],
    ['before the start is dropped', START - 1, false],
  ])('%s', (_name, time, kept) => {
    expect(inWindow(window, time)).toBe(kept);
  });

  it('places every instant around the boundaries in exactly one adjacent window', () => {
    const windows = windowsFor(START, END + 3_600_000, 60);
    for (const t of [START, START + 1, END - 1, END, END + 1, END + 999, END + 3_599_999]) {
      expect(windows.filter((w) => inWindow(w, t))).toHaveLength(1);
    }
  });
});
