import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_CHAINS,
  DEFAULT_MAX_DAYS,
  describeWindows,
  estimateRequests,
  messageIdOf,
  planMessage,
  refusalOf,
  splitBackfill,
} from '../../../functions/cli/control-plan.js';
import { parseControlMessage } from '../../../functions/core/control-message.js';
import { windowId } from '../../../functions/core/windows.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-28T12:34:56Z');
const at = (iso: string) => Date.parse(iso);
const bounds = { maxDays: DEFAULT_MAX_DAYS, maxChains: DEFAULT_MAX_CHAINS };

describe('planMessage', () => {
  it('builds a control message the planner accepts, with the windows and chains it expands to', () => {
    const planned = planMessage('rerun', {
      table: 'all',
      fromMs: at('2026-11-27T00:30:00Z'),
      toMs: at('2026-11-27T02:00:00Z'),
      gridMinutes: 60,
    });
    expect(planned.message).toEqual({
      v: 1,
      kind: 'rerun',
      table: 'all',
      from: '2026-11-27T00:30:00Z',
      to: '2026-11-27T02:00:00Z',
    });
    expect(planned.windows.map(windowId)).toEqual(['20261127T0000Z-60m', '20261127T0100Z-60m']);
    expect(planned.chains).toBe(4);
    expect(parseControlMessage(JSON.stringify(planned.message), NOW, 31).ok).toBe(true);
  });

  it('carries a PBX scope only when one is given, and names it in the id', () => {
    const request = {
      table: 'call-legs' as const,
      fromMs: at('2026-11-27T00:00:00Z'),
      toMs: at('2026-11-28T00:00:00Z'),
      gridMinutes: 60,
    };
    expect(planMessage('rerun', request).message).not.toHaveProperty('pbx');
    const scoped = planMessage('rerun', { ...request, pbx: ['acme-eu', 'acmecorp'] });
    expect(scoped.message.pbx).toEqual(['acme-eu', 'acmecorp']);
    expect(scoped.id).toMatch(/^rerun\.call-legs\.20261127T000000Z-20261128T000000Z\.p[0-9a-f]{16}$/);
  });
});

describe('messageIdOf', () => {
  it('is the same for the same request and differs for another range, table or kind', () => {
    const request = {
      table: 'call-records' as const,
      fromMs: at('2025-01-01T00:00:00Z'),
      toMs: at('2025-02-01T00:00:00Z'),
      gridMinutes: 60,
    };
    const id = messageIdOf('backfill', request);
    expect(id).toBe('backfill.call-records.20250101T000000Z-20250201T000000Z');
    expect(messageIdOf('backfill', { ...request })).toBe(id);
    expect(messageIdOf('rerun', request)).not.toBe(id);
    expect(messageIdOf('backfill', { ...request, table: 'all' })).not.toBe(id);
    expect(messageIdOf('backfill', { ...request, toMs: request.toMs + 1000 })).not.toBe(id);
    expect(id).toMatch(/^[A-Za-z0-9.-]{1,128}$/);
  });
});

describe('refusalOf', () => {
  const base = { table: 'call-legs' as const, gridMinutes: 60 };
  it.each([
    ['a range over the maximum days', { fromMs: NOW - 40 * DAY, toMs: NOW - 5 * DAY }, /over 31 days/],
    ['a start older than two years', { fromMs: NOW - 731 * DAY, toMs: NOW - 730 * DAY }, /two years/],
    ['a start in the future', { fromMs: NOW + DAY, toMs: NOW + 2 * DAY }, /in the future/],
  ])('refuses %s with the planner’s own message', (_, range, message) => {
    expect(refusalOf(planMessage('rerun', { ...base, ...range }), NOW, bounds)).toMatch(message);
  });

  it('refuses more chains than the planner starts in one run', () => {
    const planned = planMessage('rerun', {
      ...base,
      table: 'all',
      gridMinutes: 15,
      fromMs: at('2026-11-01T00:00:00Z'),
      toMs: at('2026-11-16T00:00:00Z'),
    });
    expect(planned.chains).toBe(15 * 96 * 2);
    expect(refusalOf(planned, NOW, bounds)).toMatch(/2880 chains, over the planner's limit of 2000/);
  });

  it('accepts a day of both tables', () => {
    expect(
      refusalOf(planMessage('rerun', { ...base, fromMs: NOW - 2 * DAY, toMs: NOW - DAY }), NOW, bounds),
    ).toBeUndefined();
  });
});

describe('splitBackfill', () => {
  it('cuts two years into messages of at most 31 whole UTC days that the planner accepts', () => {
    const fromMs = at('2024-12-01T00:00:00Z');
    const toMs = at('2026-11-28T00:00:00Z');
    const messages = splitBackfill({ table: 'all', fromMs, toMs, gridMinutes: 60 }, bounds);
    expect(messages).toHaveLength(Math.ceil((toMs - fromMs) / DAY / 31));
    expect(messages[0]?.message.from).toBe('2024-12-01T00:00:00Z');
    expect(messages.at(-1)?.message.to).toBe('2026-11-28T00:00:00Z');
    for (const [i, m] of messages.entries()) {
      const [from, to] = [Date.parse(m.message.from), Date.parse(m.message.to)];
      expect(from % DAY).toBe(0);
      expect(to % DAY).toBe(0);
      expect(to - from).toBeLessThanOrEqual(31 * DAY);
      expect(m.chains).toBeLessThanOrEqual(2000);
      if (i > 0) expect(from).toBe(Date.parse(messages[i - 1]?.message.to ?? ''));
      expect(refusalOf(m, NOW, bounds)).toBeUndefined();
    }
    const windows = messages.flatMap((m) => m.windows.map(windowId));
    expect(new Set(windows).size).toBe(windows.length);
    expect(windows).toHaveLength(((toMs - fromMs) / DAY) * 24);
  });

  it('expands a ragged range to the grid and cuts the rest on UTC midnights', () => {
    const messages = splitBackfill(
      {
        table: 'call-legs',
        fromMs: at('2026-10-01T10:20:00Z'),
        toMs: at('2026-10-03T05:10:00Z'),
        gridMinutes: 60,
      },
      { maxDays: 1, maxChains: 2000 },
    );
    expect(messages.map((m) => [m.message.from, m.message.to])).toEqual([
      ['2026-10-01T10:00:00Z', '2026-10-02T00:00:00Z'],
      ['2026-10-02T00:00:00Z', '2026-10-03T00:00:00Z'],
      ['2026-10-03T00:00:00Z', '2026-10-03T06:00:00Z'],
    ]);
  });

  it('keeps within the chain cap on a fine grid: fewer days per message', () => {
    const messages = splitBackfill(
      { table: 'all', fromMs: at('2026-09-01T00:00:00Z'), toMs: at('2026-10-01T00:00:00Z'), gridMinutes: 15 },
      bounds,
    );
    // 96 windows a day × 2 tables: 10 days make 1920 chains, 11 would make 2112.
    expect(messages).toHaveLength(3);
    expect(messages.map((m) => m.chains)).toEqual([1920, 1920, 1920]);
  });

  it('cuts within a day, on window edges, when one day holds more chains than a message may', () => {
    const messages = splitBackfill(
      { table: 'all', fromMs: at('2026-09-01T00:00:00Z'), toMs: at('2026-09-02T00:00:00Z'), gridMinutes: 1 },
      bounds,
    );
    expect(messages.map((m) => m.chains)).toEqual([2000, 880]);
    expect(messages[0]?.message.to).toBe('2026-09-01T16:40:00Z');
  });

  it('refuses a chain cap below one window per table', () => {
    expect(() =>
      splitBackfill({ table: 'all', fromMs: 0, toMs: DAY, gridMinutes: 60 }, { maxDays: 31, maxChains: 1 }),
    ).toThrow(/at least 2/);
  });
});

describe('estimates and descriptions', () => {
  it('estimates a page and the final "No Data" answer per chain', () => {
    expect(estimateRequests(48)).toBe(96);
    expect(estimateRequests(10, 3)).toBe(40);
  });

  it('describes windows by count, first and last', () => {
    const windows = planMessage('rerun', {
      table: 'call-legs',
      fromMs: at('2026-11-27T00:00:00Z'),
      toMs: at('2026-11-28T00:00:00Z'),
      gridMinutes: 60,
    }).windows;
    expect(describeWindows(windows)).toBe('24 windows: 20261127T0000Z-60m .. 20261127T2300Z-60m');
    expect(describeWindows(windows.slice(0, 1))).toBe('1 window: 20261127T0000Z-60m');
  });
});
