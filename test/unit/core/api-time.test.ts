import { describe, expect, it } from 'vitest';
import { toApiTime } from '../../../functions/core/api-time.js';

describe('toApiTime', () => {
  it.each([
    ['2026-11-27T01:00:00Z', 'UTC', '2026-11-27 01:00:00'],
    ['2026-11-28T00:00:00Z', 'UTC', '2026-11-28 00:00:00'],
    ['2026-11-27T23:59:59.999Z', 'UTC', '2026-11-27 23:59:59'],
    ['2026-01-15T12:00:00Z', 'America/New_York', '2026-01-15 07:00:00'],
    // 2026-03-08: New York springs forward at 02:00 EST (07:00Z); 02:xx local never happens.
    ['2026-03-08T06:59:59Z', 'America/New_York', '2026-03-08 01:59:59'],
    ['2026-03-08T07:00:00Z', 'America/New_York', '2026-03-08 03:00:00'],
    // 2026-11-01: it falls back at 02:00 EDT (06:00Z); 01:30 local happens twice.
    ['2026-11-01T05:30:00Z', 'America/New_York', '2026-11-01 01:30:00'],
    ['2026-11-01T06:30:00Z', 'America/New_York', '2026-11-01 01:30:00'],
    ['2026-11-01T07:00:00Z', 'America/New_York', '2026-11-01 02:00:00'],
    ['2026-11-01T04:00:00Z', 'America/New_York', '2026-11-01 00:00:00'],
  ])('renders %s in %s as %s', (iso, zone, text) => {
    expect(toApiTime(Date.parse(iso), zone)).toBe(text);
  });

  it('defaults to UTC', () => {
    expect(toApiTime(Date.parse('2026-11-27T01:02:03Z'))).toBe('2026-11-27 01:02:03');
  });

  it('refuses a zone that is not an IANA name', () => {
    expect(() => toApiTime(0, 'Mars/Olympus_Mons')).toThrow(/IANA/);
  });
});
