import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { getReport, login } from './test-client.js';

let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ now: () => Date.UTC(2026, 5, 20) });
  token = await login(sim);
});
afterAll(() => sim.close());

const GOOD: Record<string, string> = {
  pbxId: 'acmecorp',
  startTime: '2026-06-10 14:00:00',
  endTime: '2026-06-10 15:00:00',
  timeZone: 'UTC',
  pageSize: '100',
};
const without = (name: string) => Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== name));
const many = (n: number) => Array.from({ length: n }, (_, i) => String(110000 + i)).join(',');

describe('report parameters', () => {
  it.each([
    ['call-legs', 'no pbxId', without('pbxId'), 'pbxId'],
    ['call-legs', 'no startTime', without('startTime'), 'startTime'],
    ['call-legs', 'no endTime', without('endTime'), 'endTime'],
    ['call-legs', 'no timeZone', without('timeZone'), 'timeZone'],
    ['call-legs', 'no pageSize', without('pageSize'), 'pageSize'],
    ['call-legs', 'an unknown pbxId', { ...GOOD, pbxId: 'acmecorp,nosuchpbx' }, 'pbxId'],
    ['call-legs', 'an ISO startTime', { ...GOOD, startTime: '2026-06-10T14:00:00Z' }, 'startTime'],
    ['call-legs', 'a date-only endTime', { ...GOOD, endTime: '2026-06-10' }, 'endTime'],
    ['call-legs', 'an impossible date', { ...GOOD, startTime: '2026-02-30 00:00:00' }, 'startTime'],
    ['call-legs', 'an unknown timeZone', { ...GOOD, timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['call-legs', 'endTime before startTime', { ...GOOD, endTime: '2026-06-10 13:00:00' }, 'endTime'],
    ['call-legs', 'pageSize 0', { ...GOOD, pageSize: '0' }, 'pageSize'],
    ['call-legs', 'pageSize 7001', { ...GOOD, pageSize: '7001' }, 'pageSize'],
    ['call-legs', 'a fractional pageSize', { ...GOOD, pageSize: '2.5' }, 'pageSize'],
    ['call-legs', 'isConnectTime=yes', { ...GOOD, isConnectTime: 'yes' }, 'isConnectTime'],
    ['call-records', 'isConnectTime', { ...GOOD, isConnectTime: 'false' }, 'isConnectTime'],
    ['call-records', 'isSimplified', { ...GOOD, isSimplified: 'true' }, 'isSimplified'],
    [
      'call-legs',
      'callerOrCallee with caller',
      { ...GOOD, caller: '110010', callerOrCallee: '110011' },
      'callerOrCallee',
    ],
    ['call-legs', '126 callee values', { ...GOOD, callee: many(126) }, 'callee'],
  ])('%s: refuses %s with a 400 naming the parameter', async (table, _name, query, param) => {
    const res = await getReport(sim, `/v2/${table}`, query, token);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, details: [{ location: 'query', path: [param] }] });
    const body = res.json as { message: string; code: string };
    expect(body.message).toContain(param);
    expect(body.code).toMatch(/^105-400-\d{3}$/);
  });

  it('says that isConnectTime and isSimplified are only valid for call legs', async () => {
    const res = await getReport(sim, '/v2/call-records', { ...GOOD, isSimplified: 'false' }, token);
    expect((res.json as { message: string }).message).toMatch(/only valid for call legs/);
  });

  it.each([
    ['pageSize 7000', { pageSize: '7000' }],
    ['125 caller values', { caller: many(125) }],
    ['the same start and end', { endTime: GOOD.startTime ?? '' }],
    ['a list of PBXes with spaces', { pbxId: 'acmecorp, acme-eu' }],
    ['TRUE as a boolean', { isSimplified: 'TRUE' }],
    ['an endTime far in the future', { startTime: '2026-06-19 23:00:00', endTime: '9999-12-31 23:59:59' }],
    [
      'a time in the DST gap',
      { startTime: '2026-03-08 02:30:00', endTime: '2026-03-08 04:00:00', timeZone: 'America/New_York' },
    ],
  ])('accepts %s', async (_name, extra) => {
    const res = await getReport(sim, '/v2/call-legs', { ...GOOD, ...extra }, token);
    expect(res.status).toBe(200);
  });

  it('answers 404 to an unknown path and 405 to a wrong method', async () => {
    expect((await fetch(`${sim.baseUrl}/v2/call-legz`)).status).toBe(404);
    expect((await fetch(`${sim.baseUrl}/v2/call-legs`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${sim.baseUrl}/v1/oauth/token`)).status).toBe(405);
  });
});
