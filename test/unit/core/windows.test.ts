import { describe, expect, it } from 'vitest';
import {
  assertGridMinutes,
  InvalidWindowError,
  parseWindowId,
  type Window,
  windowAt,
  windowDay,
  windowId,
  windowsFor,
} from '../../../functions/core/windows.js';

const at = (iso: string) => Date.parse(iso);
const span = (w: Window) => [new Date(w.startMs).toISOString(), new Date(w.endMs).toISOString()];

describe('windowsFor', () => {
  it.each([
    {
      name: 'an aligned range maps to its windows',
      from: '2026-11-27T01:00:00Z',
      to: '2026-11-27T03:00:00Z',
      grid: 60,
      windows: [
        ['2026-11-27T01:00:00.000Z', '2026-11-27T02:00:00.000Z'],
        ['2026-11-27T02:00:00.000Z', '2026-11-27T03:00:00.000Z'],
      ],
    },
    {
      name: 'an unaligned range grows outward on both sides',
      from: '2026-11-27T01:20:00Z',
      to: '2026-11-27T02:10:00Z',
      grid: 60,
      windows: [
        ['2026-11-27T01:00:00.000Z', '2026-11-27T02:00:00.000Z'],
        ['2026-11-27T02:00:00.000Z', '2026-11-27T03:00:00.000Z'],
      ],
    },
    {
      name: 'a 15-minute grid',
      from: '2026-11-27T01:20:00Z',
      to: '2026-11-27T01:31:00Z',
      grid: 15,
      windows: [
        ['2026-11-27T01:15:00.000Z', '2026-11-27T01:30:00.000Z'],
        ['2026-11-27T01:30:00.000Z', '2026-11-27T01:45:00.000Z'],
      ],
    },
    {
      name: 'a one-day grid cuts at UTC midnight',
      from: '2026-11-27T23:00:00Z',
      to: '2026-11-28T01:00:00Z',
      grid: 1440,
      windows: [
        ['2026-11-27T00:00:00.000Z', '2026-11-28T00:00:00.000Z'],
        ['2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'],
      ],
    },
    {
      name: 'one millisecond still gets its whole window',
      from: '2026-11-27T01:00:00.000Z',
      to: '2026-11-27T01:00:00.001Z',
      grid: 60,
      windows: [['2026-11-27T01:00:00.000Z', '2026-11-27T02:00:00.000Z']],
    },
  ])('$name', ({ from, to, grid, windows }) => {
    expect(windowsFor(at(from), at(to), grid).map(span)).toEqual(windows);
  });

  it('defaults to a 60-minute grid', () => {
    expect(windowsFor(at('2026-11-27T01:30:00Z'), at('2026-11-27T01:40:00Z'))).toEqual([
      { startMs: at('2026-11-27T01:00:00Z'), endMs: at('2026-11-27T02:00:00Z') },
    ]);
  });

  it.each([
    ['from equals to', '2026-11-27T01:00:00Z', '2026-11-27T01:00:00Z'],
    ['from after to', '2026-11-27T02:00:00Z', '2026-11-27T01:00:00Z'],
  ])('refuses a range where %s', (_name, from, to) => {
    expect(() => windowsFor(at(from), at(to), 60)).toThrow(/from < to/);
  });

  it('keeps a UTC day at 24 one-hour windows across both 2026 US DST changes', () => {
    for (const day of ['2026-03-08', '2026-11-01']) {
      const windows = windowsFor(at(`${day}T00:00:00Z`), at(`${day}T23:59:59Z`), 60);
      expect(windows).toHaveLength(24);
      expect(windows.every((w) => w.endMs - w.startMs === 3_600_000)).toBe(true);
      expect(windows.map((w) => windowId(w).slice(9, 11))).toEqual(
        Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')),
      );
    }
  });
});

describe('grid length', () => {
  it.each([1, 5, 15, 30, 60, 120, 1440])('accepts %i minutes', (grid) => {
    expect(() => assertGridMinutes(grid)).not.toThrow();
  });

  it.each([0, -60, 7, 61, 1.5, 2880, Number.NaN])('refuses %d minutes with a clear message', (grid) => {
    expect(() => windowsFor(0, 1, grid)).toThrow(InvalidWindowError);
    expect(() => windowsFor(0, 1, grid)).toThrow(/must be a whole number of minutes that divides 1440/);
  });
});

describe('window ids', () => {
  it.each([
    ['2026-11-27T01:00:00Z', 60, '20261127T0100Z-60m'],
    ['2026-11-27T01:15:00Z', 15, '20261127T0115Z-15m'],
    ['2026-11-27T00:00:00Z', 1440, '20261127T0000Z-1440m'],
    ['2026-01-05T23:00:00Z', 60, '20260105T2300Z-60m'],
  ])('names the window at %s on a %i-minute grid %s', (start, grid, id) => {
    const window = windowAt(at(start), grid);
    expect(windowId(window)).toBe(id);
    expect(parseWindowId(id)).toEqual(window);
  });

  it.each([15, 60, 1440])(
    'round-trips every window of two days on a %i-minute grid, in time order',
    (grid) => {
      const windows = windowsFor(at('2026-11-27T00:00:00Z'), at('2026-11-29T00:00:00Z'), grid);
      const ids = windows.map(windowId);
      expect(ids.map(parseWindowId)).toEqual(windows);
      expect([...ids].sort()).toEqual(ids);
      expect(ids.every((id) => /^[0-9A-Za-z-]+$/.test(id))).toBe(true);
    },
  );

  it.each([
    ['no grid length', '20261127T0100Z'],
    ['off the grid', '20261127T0130Z-60m'],
    ['no such month', '20261327T0100Z-60m'],
    ['no such day', '20260230T0100Z-60m'],
    ['a length that does not divide a day', '20261127T0100Z-7m'],
    ['a zero-padded length', '20261127T0100Z-060m'],
    ['an ISO timestamp', '2026-11-27T01:00:00Z'],
  ])('refuses an id with %s', (_name, id) => {
    expect(() => parseWindowId(id)).toThrow(InvalidWindowError);
  });
});

describe('windowDay', () => {
  it.each([
    ['2026-11-27T00:00:00Z', 60, '2026-11-27'],
    ['2026-11-27T23:00:00Z', 60, '2026-11-27'],
    ['2026-11-27T23:45:00Z', 15, '2026-11-27'],
    ['2026-11-27T12:00:00Z', 1440, '2026-11-27'],
  ])('puts the window at %s (%i min) in %s', (start, grid, day) => {
    const window = windowAt(at(start), grid);
    expect(windowDay(window)).toBe(day);
    expect(new Date(window.endMs - 1).toISOString().slice(0, 10)).toBe(day);
  });
});
