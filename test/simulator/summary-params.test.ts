import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { getReport, login } from './test-client.js';

let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ now: () => Date.UTC(2026, 5, 20), callsPerHour: 4 });
  token = await login(sim);
});
afterAll(() => sim.close());

const GOOD: Record<string, string> = {
  pbxId: 'acmecorp',
  startTime: '2026-06-10 00:00:00',
  endTime: '2026-06-10 23:59:59',
  timeZone: 'UTC',
};
const without = (name: string) => Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== name));

describe('summary parameters', () => {
  it.each([
    ['/v1/compsum', 'no pbxId', without('pbxId'), 'pbxId'],
    ['/v2/extsum', 'no startTime', without('startTime'), 'startTime'],
    ['/v2/rgsum-groups', 'no endTime', without('endTime'), 'endTime'],
    ['/v1/compsum', 'no timeZone', without('timeZone'), 'timeZone'],
    ['/v1/compsum', 'an unknown pbxId', { ...GOOD, pbxId: 'nosuchpbx' }, 'pbxId'],
    ['/v2/extsum', 'an ISO startTime', { ...GOOD, startTime: '2026-06-10T00:00:00Z' }, 'startTime'],
    ['/v1/compsum', 'an unknown timeZone', { ...GOOD, timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['/v1/compsum', 'endTime before startTime', { ...GOOD, endTime: '2026-06-09 00:00:00' }, 'endTime'],
    ['/v1/compsum', 'isConnectTime', { ...GOOD, isConnectTime: 'true' }, 'isConnectTime'],
    ['/v2/rgsum-groups', 'intraStartTime 25:00', { ...GOOD, intraStartTime: '25:00' }, 'intraStartTime'],
    [
      '/v2/rgsum-groups',
      'intraStartTime after intraEndTime',
      { ...GOOD, intraStartTime: '17:00', intraEndTime: '08:30' },
      'intraEndTime',
    ],
    ['/v2/rgsum-members', 'no extId', GOOD, 'extId'],
    ['/v2/rgsum-members', 'two extIds', { ...GOOD, extId: '118010,118011' }, 'extId'],
    ['/v2/rgsum-members', 'an extId of no ring group', { ...GOOD, extId: '110010' }, 'extId'],
    ['/v2/rgsum-members', 'collapse=maybe', { ...GOOD, extId: '118010', collapse: 'maybe' }, 'collapse'],
  ])('%s: refuses %s with a 400 naming the parameter', async (path, _name, query, param) => {
    const res = await getReport(sim, path, query, token);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, details: [{ location: 'query', path: [param] }] });
    const body = res.json as { message: string; code: string };
    expect(body.message).toContain(param);
    expect(body.code).toMatch(/^105-400-\d{3}$/);
  });

  it('answers rgsum-members without extId for every ring group when the knob makes it optional', async () => {
    const open = await startSimulator({
      now: () => Date.UTC(2026, 5, 20),
      ringGroupMembersExtId: 'optional',
    });
    try {
      const res = await getReport(open, '/v2/rgsum-members', GOOD, await login(open));
      expect(res.status).toBe(200);
      const groups = new Set((res.json as { ringGroupExtension: string }[]).map((r) => r.ringGroupExtension));
      expect(groups.size).toBeGreaterThan(1);
    } finally {
      await open.close();
    }
  });

  it('refuses a user without the Analytics licence with 105-400-038', async () => {
    const none = await startSimulator({ now: () => Date.UTC(2026, 5, 20), analyticsAccess: false });
    try {
      const res = await getReport(none, '/v2/extsum', GOOD, await login(none));
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ code: '105-400-038' });
    } finally {
      await none.close();
    }
  });
});
