import { describe, expect, it } from 'vitest';
import { parseTimeZones, resolveZones } from '../../../functions/cli/report-zones.js';

describe('--time-zone', () => {
  it.each([
    [undefined, { perPbx: {} }],
    ['America/New_York', { all: 'America/New_York', perPbx: {} }],
    ['acme=Europe/Berlin', { perPbx: { acme: 'Europe/Berlin' } }],
    [
      'UTC, acme = Asia/Kolkata ,eu=Europe/Paris',
      { all: 'UTC', perPbx: { acme: 'Asia/Kolkata', eu: 'Europe/Paris' } },
    ],
  ])('reads %s', (value, choice) => {
    expect(parseTimeZones(value)).toEqual(choice);
  });

  it.each([
    ['Europe/Berln', /unknown time zone "Europe\/Berln". Did you mean Europe\/Berlin\?/],
    ['acme=Nowhere', /unknown time zone "Nowhere"/],
    ['UTC,Europe/Paris', /two zones for every PBX/],
    ['acme=UTC,acme=Europe/Paris', /names acme twice/],
    ['=UTC', /names no PBX/],
    ['UTC,,acme=UTC', /an empty entry/],
  ])('refuses %s', (value, message) => {
    expect(() => parseTimeZones(value)).toThrow(message);
  });

  it('gives a PBX its own zone first, then the zone for all, else UTC, and says which', () => {
    const zones = resolveZones({ all: 'America/Chicago', perPbx: { b: 'Europe/Paris' } }, ['c', 'b', 'a']);
    expect(zones).toEqual([
      { pbx_id: 'a', zone: 'America/Chicago', source: 'all' },
      { pbx_id: 'b', zone: 'Europe/Paris', source: 'flag' },
      { pbx_id: 'c', zone: 'America/Chicago', source: 'all' },
    ]);
    expect(resolveZones({ perPbx: {} }, ['a'])).toEqual([{ pbx_id: 'a', zone: 'UTC', source: 'utc' }]);
    expect(() => resolveZones({ perPbx: { zz: 'UTC' } }, [])).toThrow(/it holds no calls/);
  });
});
