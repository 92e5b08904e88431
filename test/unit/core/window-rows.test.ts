import { describe, expect, it } from 'vitest';
import { filterFieldOf } from '../../../functions/core/page-task.js';
import type { Table } from '../../../functions/core/tables.js';
import {
  EDGE_MS,
  filterTimeOf,
  inWindow,
  placeOf,
  type RowPlace,
} from '../../../functions/core/window-rows.js';
import { windowsFor } from '../../../functions/core/windows.js';

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
    const filterField = filterFieldOf({ table, isConnectTime });
    expect(filterField).toBe(field);
    expect(filterTimeOf(row, filterField)).toBe(expected);
  });

  it("filters on a task's own filter field when it names one", () => {
    expect(filterFieldOf({ table: 'call-records', isConnectTime: false, filterField: 'startTimeUTC' })).toBe(
      'startTimeUTC',
    );
    expect(filterTimeOf({ startTimeUTC: 500, disconnectedTimeUTC: 2000 }, 'startTimeUTC')).toBe(500);
  });

  it('reads a numeric string as its number', () => {
    expect(filterTimeOf({ disconnectedTimeUTC: '1643898472253' }, 'disconnectedTimeUTC')).toBe(1643898472253);
  });

  it.each<[string, unknown]>([
    ['is absent', {}],
    ['is 0 (never)', { disconnectedTimeUTC: 0 }],
    ['is not a number', { disconnectedTimeUTC: 'yesterday' }],
    ['is a fraction', { disconnectedTimeUTC: 1.5 }],
    ['belongs to no object', null],
  ])('returns null (no filter time, so the row is quarantined) when the field %s', (_name, row) => {
    expect(filterTimeOf(row, 'disconnectedTimeUTC')).toBeNull();
    expect(placeOf(window, filterTimeOf(row, 'disconnectedTimeUTC'))).toBe('outside');
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

  it.each<[string, number | null, RowPlace]>([
    ['the start is in', START, 'in'],
    ['the last millisecond is in', END - 1, 'in'],
    ['the second before the start (asked for on purpose) is before', START - EDGE_MS, 'before'],
    ['the millisecond before the start is before', START - 1, 'before'],
    ['the end is the end edge', END, 'end-edge'],
    ["the API's inclusive end second is the end edge", END + EDGE_MS - 1, 'end-edge'],
    ['past the end second is outside', END + EDGE_MS, 'outside'],
    ['before the extra second is outside', START - EDGE_MS - 1, 'outside'],
    ['no filter time is outside', null, 'outside'],
  ])('places a row: %s', (_name, time, place) => {
    expect(placeOf(window, time)).toBe(place);
  });

  it('places every instant around the boundaries in exactly one adjacent window', () => {
    const windows = windowsFor(START, END + 3_600_000, 60);
    for (const t of [START, START + 1, END - 1, END, END + 1, END + 999, END + 3_599_999]) {
      expect(windows.filter((w) => inWindow(w, t))).toHaveLength(1);
    }
  });
});
