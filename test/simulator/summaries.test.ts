import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../functions/simulator/index.js';
import {
  expectedCompany,
  expectedExtensions,
  expectedRingGroups,
  legsByCall,
  numbersOf,
  type Row,
  withZeros,
} from './summary-count.js';
import { getReport, login, walkChain } from './test-client.js';

// A Wednesday, well before "now": every call of the day has ended and is served.
const NOW = Date.UTC(2026, 5, 20, 12);
const DAY = Date.UTC(2026, 5, 10);
const HOUR = 3_600_000;
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const dayQuery = (pbxId = 'allpbxes') => ({
  pbxId,
  startTime: '2026-06-10 00:00:00',
  endTime: '2026-06-10 23:59:59',
  timeZone: 'UTC',
});

const started: Simulator[] = [];
async function simulator(options: SimulatorOptions = {}) {
  const sim = await startSimulator({
    now: () => NOW,
    callsPerHour: 12,
    pbxIds: ['acmecorp', 'acmecorp2'],
    ...options,
  });
  started.push(sim);
  return { sim, token: await login(sim) };
}
afterAll(() => Promise.all(started.map((s) => s.close())));

/** What /v2/call-records and /v2/call-legs serve of the calls that ended from `fromMs` to `toMs`. */
async function served(sim: Simulator, token: string, fromMs: number, toMs: number) {
  const q = {
    pbxId: 'allpbxes',
    startTime: utc(fromMs),
    endTime: utc(toMs - 1000),
    timeZone: 'UTC',
    pageSize: '7000',
  };
  const rows = async (path: string) => (await walkChain(sim, path, q, token)).flatMap((p) => p.data as Row[]);
  return { records: await rows('/v2/call-records'), legs: await rows('/v2/call-legs') };
}

async function summary(sim: Simulator, token: string, path: string, query: Record<string, string>) {
  const res = await getReport(sim, path, query, token);
  expect(res.status, res.text).toBe(200);
  return res.json as Row[];
}

/** Compares every number of each served row with the test's own count, and the keys with the count's. */
function expectNumbers(rows: Row[], expected: (row: Row) => Record<string, number> | undefined) {
  for (const row of rows) {
    const count = expected(row);
    expect(count, JSON.stringify(row).slice(0, 120)).toBeDefined();
    expect(Object.keys(count ?? {}).filter((k) => !(k in row))).toEqual([]);
    expect(numbersOf(row)).toEqual(withZeros(count ?? {}, row));
  }
}

describe('the summaries count the calls the simulator serves', () => {
  let sim: Simulator;
  let token: string;
  let records: Row[];
  let byCall: Map<string, Row[]>;
  const recordsOf = (pbxId: string) => records.filter((r) => r.pbxId === pbxId);
  beforeAll(async () => {
    ({ sim, token } = await simulator());
    // Calls that start in the day end at most 2 hours after it: their rows are served by disconnect time.
    const all = await served(sim, token, DAY, DAY + 26 * HOUR);
    records = all.records.filter(
      (r) => Number(r.startTimeUTC) >= DAY && Number(r.startTimeUTC) < DAY + 24 * HOUR,
    );
    byCall = legsByCall(records, all.legs);
  });

  it('company summary: one row per PBX, every measure equal to a count over its call records of the day', async () => {
    const rows = await summary(sim, token, '/v1/compsum', dayQuery());
    expect(rows.map((r) => r.pbxId)).toEqual(['acmecorp', 'acmecorp2']);
    expectNumbers(rows, (row) => expectedCompany(recordsOf(String(row.pbxId))));
    const [first] = rows;
    expect(first?.totalCall).toBeGreaterThan(100);
    expect(first?.totalCall).toBe(
      Number(first?.inboundTotal) + Number(first?.outboundTotal) + Number(first?.totalExtToExt),
    );
  });

  it('company summary honours the PBX filter', async () => {
    const rows = await summary(sim, token, '/v1/compsum', dayQuery('acmecorp2'));
    expect(rows.map((r) => r.pbxId)).toEqual(['acmecorp2']);
    expect(rows[0]?.totalCall).toBe(recordsOf('acmecorp2').length);
  });

  it('extension summary: a row per user with calls, each equal to a count over the legs of the day', async () => {
    const rows = await summary(sim, token, '/v2/extsum', dayQuery());
    const expected = new Map(
      ['acmecorp', 'acmecorp2'].map((pbx) => [pbx, expectedExtensions(recordsOf(pbx), byCall)] as const),
    );
    expect(rows.map((r) => `${r.PbxId}|${r.Extension}`)).toEqual(
      [...expected].flatMap(([pbx, exts]) => [...exts.keys()].sort().map((ext) => `${pbx}|${ext}`)),
    );
    expectNumbers(rows, (row) => expected.get(String(row.PbxId))?.get(String(row.Extension)));
    // The names are the user's, as the legs that rang them show it.
    const rung = [...byCall.values()]
      .flat()
      .filter((l) => l.callee === rows[0]?.Extension && l.calleeSvcName === null);
    const name = String(rung[0]?.calleeName).trim().split(/\s+/);
    expect([rows[0]?.FirstName, rows[0]?.LastName]).toEqual([name[0], name.slice(1).join(' ')]);
  });

  it('ring group summary: a row per ring group with calls, equal to a count over its legs', async () => {
    const rows = await summary(sim, token, '/v2/rgsum-groups', dayQuery('acmecorp'));
    const { groups, names } = expectedRingGroups(recordsOf('acmecorp'), byCall);
    expect(rows.map((r) => r.extension)).toEqual([...groups.keys()].sort());
    expect(rows.map((r) => r.name)).toEqual(rows.map((r) => names.get(String(r.extension))));
    expectNumbers(rows, (row) => groups.get(String(row.extension)));
    expect(rows.reduce((s, r) => s + Number(r.totalAnswered), 0)).toBeGreaterThan(10);
  });

  it('ring group member summary: a row per member of the one ring group asked, equal to a count over its legs', async () => {
    const { perMember } = expectedRingGroups(recordsOf('acmecorp2'), byCall);
    const ext = [...perMember.keys()].sort()[0]?.split('|')[0] ?? '';
    const rows = await summary(sim, token, '/v2/rgsum-members', { ...dayQuery('acmecorp2'), extId: ext });
    const mine = [...perMember.keys()].filter((k) => k.startsWith(`${ext}|`));
    expect(rows.map((r) => `${r.ringGroupExtension}|${r.extension}`)).toEqual(mine.sort());
    expectNumbers(rows, (row) => perMember.get(`${ext}|${row.extension}`));
    expect(new Set(rows.map((r) => r.pbxId))).toEqual(new Set(['acmecorp2']));
  });

  it('answers [] for a day without calls, and for a day older than the retention', async () => {
    const quiet = await simulator({ callsPerHour: 0 });
    for (const path of ['/v1/compsum', '/v2/extsum', '/v2/rgsum-groups']) {
      const res = await getReport(quiet.sim, path, dayQuery(), quiet.token);
      expect([res.status, res.text]).toEqual([200, '[]']);
    }
    const members = await getReport(
      quiet.sim,
      '/v2/rgsum-members',
      { ...dayQuery(), extId: '118010' },
      quiet.token,
    );
    expect([members.status, members.text]).toEqual([200, '[]']);
    const old = { ...dayQuery(), startTime: '2024-01-10 00:00:00', endTime: '2024-01-10 23:59:59' };
    expect((await getReport(sim, '/v1/compsum', old, token)).text).toBe('[]');
  });
});

describe('which day a call counts in', () => {
  it('reads the interval in timeZone: a New York day counts the calls that start between 04:00 and 04:00 UTC', async () => {
    const { sim, token } = await simulator({ pbxIds: ['acmecorp'] });
    const from = DAY + 4 * HOUR;
    const all = await served(sim, token, from, from + 26 * HOUR);
    const day = all.records.filter(
      (r) => Number(r.startTimeUTC) >= from && Number(r.startTimeUTC) < from + 24 * HOUR,
    );
    const rows = await summary(sim, token, '/v1/compsum', {
      ...dayQuery('acmecorp'),
      timeZone: 'America/New_York',
    });
    expect(numbersOf(rows[0] ?? {})).toEqual(withZeros(expectedCompany(day), rows[0] ?? {}));
    const utcDay = await summary(sim, token, '/v1/compsum', dayQuery('acmecorp'));
    expect(utcDay[0]?.totalCall).not.toBe(rows[0]?.totalCall);
  });

  it('includes the whole end second and the start second, whole seconds as the other reports', async () => {
    const { sim, token } = await simulator({ pbxIds: ['acmecorp'] });
    const { records } = await served(sim, token, DAY, DAY + 26 * HOUR);
    const call = records.find(
      (r) => Number(r.startTimeUTC) % 1000 > 0 && Number(r.startTimeUTC) > DAY + HOUR,
    );
    const second = Math.floor(Number(call?.startTimeUTC) / 1000) * 1000;
    const count = async (fromMs: number, toMs: number) => {
      const rows = await summary(sim, token, '/v1/compsum', {
        ...dayQuery('acmecorp'),
        startTime: utc(fromMs),
        endTime: utc(toMs),
      });
      return rows[0]?.totalCall ?? 0;
    };
    const startingIn = (fromMs: number, toMs: number) =>
      records.filter((r) => Number(r.startTimeUTC) >= fromMs && Number(r.startTimeUTC) < toMs).length;
    expect(await count(second - HOUR, second)).toBe(startingIn(second - HOUR, second + 1000));
    expect(await count(second, second + HOUR)).toBe(startingIn(second, second + HOUR + 1000));
    expect(await count(second - HOUR, second - 1000)).toBe(startingIn(second - HOUR, second));
    expect(startingIn(second - HOUR, second + 1000) - startingIn(second - HOUR, second)).toBeGreaterThan(0);
  });

  it('counts calls by their end with summaryTimeField disconnectedTimeUTC', async () => {
    const { sim, token } = await simulator({ pbxIds: ['acmecorp'], summaryTimeField: 'disconnectedTimeUTC' });
    const { records } = await served(sim, token, DAY, DAY + 24 * HOUR);
    const rows = await summary(sim, token, '/v1/compsum', dayQuery('acmecorp'));
    expect(numbersOf(rows[0] ?? {})).toEqual(withZeros(expectedCompany(records), rows[0] ?? {}));
    // Some calls of the day started the evening before: counted by start, they would not be here.
    expect(records.some((r) => Number(r.startTimeUTC) < DAY)).toBe(true);
  });

  it('keeps to the intra-day hours of rgsum-groups, in the request zone', async () => {
    const { sim, token } = await simulator({ pbxIds: ['acmecorp'] });
    const all = await served(sim, token, DAY, DAY + 26 * HOUR);
    const from = DAY + 8 * HOUR + 30 * 60_000;
    const to = DAY + 17 * HOUR;
    const inHours = all.records.filter(
      (r) => Number(r.startTimeUTC) >= from && Number(r.startTimeUTC) < to + 1000,
    );
    const { groups } = expectedRingGroups(inHours, legsByCall(inHours, all.legs));
    const query = { ...dayQuery('acmecorp'), intraStartTime: '08:30', intraEndTime: '17:00:00' };
    const rows = await summary(sim, token, '/v2/rgsum-groups', query);
    expect(rows.map((r) => r.extension)).toEqual([...groups.keys()].sort());
    expectNumbers(rows, (row) => groups.get(String(row.extension)));
  });
});

describe('a company summary that disagrees on purpose', () => {
  it('adds `by` to one measure of one PBX and day, and to nothing else', async () => {
    const options = { pbxIds: ['acmecorp', 'acmecorp2'] };
    const plain = await simulator(options);
    const off = await simulator({
      ...options,
      summaryDisagreements: [{ pbxId: 'acmecorp2', day: '2026-06-10', measure: 'totalTalkTime', by: 90_000 }],
    });
    const before = await summary(plain.sim, plain.token, '/v1/compsum', dayQuery());
    const after = await summary(off.sim, off.token, '/v1/compsum', dayQuery());
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual({ ...before[1], totalTalkTime: Number(before[1]?.totalTalkTime) + 90_000 });
    const nextDay = { ...dayQuery(), startTime: '2026-06-11 00:00:00', endTime: '2026-06-11 23:59:59' };
    expect(await summary(off.sim, off.token, '/v1/compsum', nextDay)).toEqual(
      await summary(plain.sim, plain.token, '/v1/compsum', nextDay),
    );
    // Half a day does not cover the day: no disagreement there.
    const half = { ...dayQuery(), endTime: '2026-06-10 11:59:59' };
    expect(await summary(off.sim, off.token, '/v1/compsum', half)).toEqual(
      await summary(plain.sim, plain.token, '/v1/compsum', half),
    );
    off.sim.summaryDisagreements.splice(0);
    expect(await summary(off.sim, off.token, '/v1/compsum', dayQuery())).toEqual(before);
  });

  it('refuses a disagreement it cannot apply, saying what to write', async () => {
    const bad = (d: object) => startSimulator({ summaryDisagreements: [d as never] });
    const base = { pbxId: 'acmecorp', day: '2026-06-10', measure: 'totalCall', by: 1 };
    await expect(bad({ ...base, measure: 'pbxId' })).rejects.toThrow(
      /measure must be a number of \/v1\/compsum/,
    );
    await expect(bad({ ...base, pbxId: 'nosuch' })).rejects.toThrow(/pbxId must be one of/);
    await expect(bad({ ...base, day: '2026-13-01' })).rejects.toThrow(
      /day must be a date written YYYY-MM-DD/,
    );
    await expect(bad({ ...base, by: 0.5 })).rejects.toThrow(/by must be a whole number/);
  });
});
