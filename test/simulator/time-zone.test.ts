import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatLocal,
  localToInstant,
  parseLocalTime,
  type Simulator,
  startSimulator,
} from '../../functions/simulator/index.js';
import { login, walkChain } from './test-client.js';

const wall = (text: string) => parseLocalTime(text) ?? Number.NaN;
const iso = (ms: number) => new Date(ms).toISOString();

describe('time zone arithmetic', () => {
  it.each([
    [1643898447499, 'America/New_York', '2022-02-03T09:27:27.499-0500'],
    [Date.UTC(2026, 5, 10, 13, 0, 0, 5), 'America/New_York', '2026-06-10T09:00:00.005-0400'],
    [Date.UTC(2026, 5, 10, 13), 'Asia/Kathmandu', '2026-06-10T18:45:00.000+0545'],
    [Date.UTC(2026, 0, 10, 13), 'Australia/Lord_Howe', '2026-01-11T00:00:00.000+1100'],
    [Date.UTC(2026, 5, 10, 13), 'UTC', '2026-06-10T13:00:00.000+0000'],
  ])('renders %i in %s as the API does: %s', (instant, zone, expected) => {
    expect(formatLocal(instant, zone)).toBe(expected);
  });

  it.each([
    ['2026-06-10 09:00:00', 'America/New_York', '2026-06-10T13:00:00.000Z', 'an ordinary time'],
    [
      '2026-03-08 02:30:00',
      'America/New_York',
      '2026-03-08T07:30:00.000Z',
      'a time in the spring gap, moved forward',
    ],
    ['2026-03-08 03:00:00', 'America/New_York', '2026-03-08T07:00:00.000Z', 'the first time after the gap'],
    [
      '2026-11-01 01:30:00',
      'America/New_York',
      '2026-11-01T05:30:00.000Z',
      'an ambiguous time, the earlier instant',
    ],
    [
      '2026-11-01 02:00:00',
      'America/New_York',
      '2026-11-01T07:00:00.000Z',
      'the first time after the overlap',
    ],
    ['2026-03-29 01:30:00', 'Europe/London', '2026-03-29T01:30:00.000Z', 'a time in the London gap'],
    ['2026-10-25 01:30:00', 'Europe/London', '2026-10-25T00:30:00.000Z', 'an ambiguous London time'],
  ])('reads %s in %s as %s (%s)', (text, zone, expected) => {
    expect(iso(localToInstant(wall(text), zone))).toBe(expected);
  });

  it.each([
    '2026-02-30 00:00:00',
    '2026-06-10T09:00:00',
    '2026-06-10 24:00:00',
    '2026-6-10 09:00:00',
    '2026-06-10 09:00',
  ])('refuses %s as a local time', (text) => {
    expect(parseLocalTime(text)).toBeUndefined();
  });
});

describe('queries in a local zone across DST changes', () => {
  let sim: Simulator;
  let token: string;
  beforeAll(async () => {
    sim = await startSimulator({ now: () => Date.UTC(2026, 10, 20) });
    token = await login(sim);
  });
  afterAll(() => sim.close());

  const withColon = (local: string) => local.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const legs = async (startTime: string, endTime: string, timeZone: string) => {
    const query = { pbxId: 'allpbxes', pageSize: '7000', startTime, endTime, timeZone };
    return (await walkChain(sim, '/v2/call-legs', query, token)).flatMap((p) => p.data);
  };

  it.each([
    {
      night: 'spring forward',
      ny: ['2026-03-08 00:00:00', '2026-03-08 05:59:59'],
      utc: ['2026-03-08 05:00:00', '2026-03-08 09:59:59'],
      change: Date.UTC(2026, 2, 8, 7),
      offsets: ['-0500', '-0400'],
    },
    {
      night: 'fall back',
      ny: ['2026-11-01 00:00:00', '2026-11-01 03:59:59'],
      utc: ['2026-11-01 04:00:00', '2026-11-01 08:59:59'],
      change: Date.UTC(2026, 10, 1, 6),
      offsets: ['-0400', '-0500'],
    },
  ])(
    'returns the same instants for America/New_York and UTC on the $night night',
    async ({ ny, utc, change, offsets }) => {
      const local = await legs(ny[0] ?? '', ny[1] ?? '', 'America/New_York');
      const universal = await legs(utc[0] ?? '', utc[1] ?? '', 'UTC');
      expect(local.length).toBeGreaterThan(10);
      expect(local.map((r) => `${r.callId}/${r.legId}`)).toEqual(
        universal.map((r) => `${r.callId}/${r.legId}`),
      );
      const seen = new Set<string>();
      for (const row of local) {
        for (const field of ['startTime', 'connectTime', 'disconnectedTime'] as const) {
          const text = row[field] as string;
          if (text === '0') continue;
          const instant = row[`${field}UTC`] as number;
          expect(Date.parse(withColon(text))).toBe(instant);
          expect(text.slice(-5)).toBe(instant < change ? offsets[0] : offsets[1]);
          seen.add(text.slice(-5));
        }
      }
      expect(seen).toEqual(new Set(offsets));
      expect(universal.every((r) => (r.disconnectedTime as string).endsWith('+0000'))).toBe(true);
    },
  );
});
