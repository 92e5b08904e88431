import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallLegRow,
  type CallRecordRow,
  DRIFT_FIELDS,
  RETENTION_MS,
  type Simulator,
  startSimulator,
} from '../../functions/simulator/index.js';
import { getReport, login, type PageBody } from './test-client.js';

const NOW = Date.UTC(2026, 5, 20, 12);

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
const WEEK = { fromMs: Date.UTC(2026, 5, 8), toMs: Date.UTC(2026, 5, 15) };
let sim: Simulator;
let legs: CallLegRow[];
let records: CallRecordRow[];
beforeAll(async () => {
  sim = await startSimulator({ now: () => NOW });
  legs = sim.truth({ table: 'call-legs', ...WEEK }) as CallLegRow[];
  records = sim.truth({ table: 'call-records', ...WEEK }) as CallRecordRow[];
});
afterAll(() => sim.close());

describe('the data set', () => {
  it('is the same for the same seed and differs for another seed', async () => {
    const same = await startSimulator({ now: () => NOW });
    const other = await startSimulator({ now: () => NOW, seed: 2 });
    try {
      const window = {
        table: 'call-legs' as const,
        fromMs: Date.UTC(2026, 5, 10, 14),
        toMs: Date.UTC(2026, 5, 10, 15),
      };
      expect(same.truth(window)).toEqual(sim.truth(window));
      expect(other.truth(window)).not.toEqual(sim.truth(window));
    } finally {
      await Promise.all([same.close(), other.close()]);
    }
  });

  it('has about callsPerHour calls per hour per PBX, more in New York business hours', () => {
    const perPbxHour = records.length / (7 * 24 * 3);
    expect(perPbxHour).toBeGreaterThan(30);
    expect(perPbxHour).toBeLessThan(50);
    const hourOf = (r: CallRecordRow) => new Date(r.startTimeUTC).getUTCHours();
    const noonNy = records.filter((r) => hourOf(r) === 16).length;
    const nightNy = records.filter((r) => hourOf(r) === 8).length;
    expect(noonNy).toBeGreaterThan(nightNy * 4);
  });

  it('gives every leg a distinct (callId, legId) and every record a distinct numeric callId', () => {
    expect(new Set(legs.map((l) => `${l.callId}/${l.legId}`)).size).toBe(legs.length);
    expect(new Set(records.map((r) => r.callId)).size).toBe(records.length);
    expect(records.every((r) => /^\d{13}$/.test(r.callId))).toBe(true);
  });

  it('makes each record agree with its legs', () => {
    const byCall = groupBy(legs, (l) => l.callId);
    let checked = 0;
    const problems: string[] = [];
    const check = (ok: boolean, what: string, r: CallRecordRow) =>
      ok || problems.push(`${r.callId}: ${what}`);
    for (const record of records) {
      const own = byCall.get(record.callId);
      // Legs of a call can end outside the week when the call straddles its edges.
      if (!own || own.length !== Number(record.callLegCount)) continue;
      checked++;
      check(record.startTimeUTC === Math.min(...own.map((l) => l.startTimeUTC)), 'start', record);
      check(record.disconnectedTimeUTC === Math.max(...own.map((l) => l.disconnectedTimeUTC)), 'end', record);
      check(record.talkTimeMS === own.reduce((sum, l) => sum + l.talkTimeMS, 0), 'talk time', record);
      check(
        record.answered === (own.some((l) => l.answered === 'Answered') ? 'Answered' : '-'),
        'answered',
        record,
      );
      check(record.callTime === record.disconnectedTimeUTC - record.startTimeUTC, 'callTime', record);
      check(record.callTime <= 2 * 3_600_000, 'at most 2 h', record);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(records.length * 0.95);
  });

  it('covers the documented journeys and quirks', () => {
    const legCounts = [...groupBy(records, (r) => r.callLegCount).keys()].map(Number).sort((x, y) => x - y);
    expect(legCounts[0]).toBe(1);
    expect(legCounts.at(-1)).toBeLessThanOrEqual(8);
    expect(legCounts.at(-1)).toBeGreaterThanOrEqual(6);
    const never = legs.filter((l) => l.connectTimeUTC === 0);
    expect(never.length).toBeGreaterThan(0);
    expect(never.every((l) => l.connectTime === '0' && l.talkTimeMS === 0)).toBe(true);
    expect(legs.some((l) => l.calleeSvcName === 'VMadvanced' && l.propsLastPartyDisp === 'Voicemail')).toBe(
      true,
    );
    expect(legs.some((l) => l.parentCallId !== null && l.cause === 'Ring No Answer')).toBe(true);
    expect(legs.some((l) => l.transferToCallId !== null)).toBe(true);
    expect(records.some((r) => r.abandoned === 'Abandoned' && r.abandonedTime === r.callTime)).toBe(true);
    expect(legs.some((l) => l.calleeSvcName === 'CallRecording')).toBe(true);
    expect(legs.some((l) => l.calleeSvcName === 'CallForking')).toBe(true);
    expect(legs.some((l) => l.disconnectedTimeUTC === l.startTimeUTC)).toBe(true);
    expect(
      legs.every((l) => ['Missed', '-'].includes(l.missed) && ['Answered', '-'].includes(l.answered)),
    ).toBe(true);
    expect(legs.every((l) => /^\d{2}:\d{2}:\d{2}$/.test(l.talkTime))).toBe(true);
    expect(
      records.some((r) => r.departments === null) && records.some((r) => r.departments?.length === 0),
    ).toBe(true);
    expect(records.some((r) => r.aaDestination !== null)).toBe(true);
  });

  it('calls some missed callers back from the extension that was rung, at realistic delays', () => {
    const missed = records.filter(
      (r) =>
        r.direction === 'Incoming' &&
        (r.missed === 'Missed' || r.abandoned === 'Abandoned') &&
        r.startTimeUTC < WEEK.toMs - 2 * 86_400_000,
    );
    const outgoing = groupBy(
      records.filter((r) => r.direction === 'Outgoing'),
      (r) => `${r.pbxId} ${r.callee}`,
    );
    const rungBy = groupBy(legs, (l) => l.callId);
    const delays: number[] = [];
    let fromRung = 0;
    for (const m of missed) {
      const callback = (outgoing.get(`${m.pbxId} ${m.caller}`) ?? [])
        .filter((o) => o.startTimeUTC > m.startTimeUTC)
        .sort((a, b) => a.startTimeUTC - b.startTimeUTC)[0];
      if (!callback) continue;
      delays.push((callback.startTimeUTC - m.disconnectedTimeUTC) / 3_600_000);
      if ((rungBy.get(m.callId) ?? []).some((l) => l.callee === callback.caller && l.missed === 'Missed'))
        fromRung++;
    }
    const share = delays.length / missed.length;
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(0.7);
    expect(fromRung / delays.length).toBeGreaterThan(0.5);
    expect(delays.every((h) => h > 0 && h <= 48)).toBe(true);
    const within = (h: number) => delays.filter((d) => d <= h).length / delays.length;
    expect(within(1)).toBeGreaterThan(0.3);
    expect(within(24)).toBeGreaterThan(0.8);
    expect(within(24)).toBeLessThan(1);
  });

  it('lets ring groups and queues answer: their own leg is Answered when a member or agent took the call', () => {
    for (const service of ['RingGroup', 'ACDOperatorService']) {
      const own = legs.filter((l) => l.calleeSvcName === service);
      const answered = own.filter((l) => l.answered === 'Answered');
      expect(answered.length / own.length, service).toBeGreaterThan(0.5);
      expect(answered.length, service).toBeLessThan(own.length);
      expect(
        answered.every((l) => l.talkTimeMS === 0 && l.missed === '-'),
        service,
      ).toBe(true);
      const children = groupBy(
        legs.filter((l) => l.parentCallId !== null),
        (l) => String(l.parentCallId),
      );
      for (const leg of answered)
        expect((children.get(leg.callId) ?? []).some((c) => c.answered === 'Answered')).toBe(true);
    }
  });

  it('writes names with accents, CJK, emoji, quotes, commas and newlines', () => {
    const names = new Set(legs.flatMap((l) => [l.callerName, l.calleeName]));
    for (const pattern of [/é/, /[\u4e00-\u9fff]/, /\p{Extended_Pictographic}/u, /"/, /,/, /\n/]) {
      expect(
        [...names].some((n) => pattern.test(n)),
        String(pattern),
      ).toBe(true);
    }
  });

  it('adds an undocumented field to about 1 row in 200', () => {
    const drifted = legs.filter((l) => DRIFT_FIELDS.some((f) => f in l));
    expect(drifted.length / legs.length).toBeGreaterThan(1 / 400);
    expect(drifted.length / legs.length).toBeLessThan(1 / 100);
  });
});

describe('time-dependent visibility', () => {
  it('shows a late call only delayMs after it ended, by the clock', async () => {
    const delayMs = 30 * 60_000;
    let clock = Date.UTC(2026, 5, 10, 15, 0, 30);
    const late = await startSimulator({ now: () => clock, lateData: { fraction: 0.2, delayMs } });
    try {
      const token = await login(late);
      const window = {
        table: 'call-records' as const,
        fromMs: Date.UTC(2026, 5, 10, 14),
        toMs: Date.UTC(2026, 5, 10, 15),
      };
      const query = {
        pbxId: 'allpbxes',
        startTime: '2026-06-10 14:00:00',
        endTime: '2026-06-10 14:59:59',
        timeZone: 'UTC',
        pageSize: '7000',
      };
      const early = late.truth(window);
      const seen = ((await getReport(late, '/v2/call-records', query, token)).json as PageBody).data;
      expect(seen).toEqual(early);
      clock = Date.UTC(2026, 5, 10, 15, 31);
      const after = late.truth(window);
      // The first token has expired by now (30 minutes): log in again.
      const seenAfter = (
        (await getReport(late, '/v2/call-records', query, await login(late))).json as PageBody
      ).data;
      expect(seenAfter).toEqual(after);
      const appeared = after.filter((r) => !early.some((e) => e.callId === r.callId));
      expect(appeared.length).toBeGreaterThan(after.length * 0.03);
      expect(appeared.length).toBeLessThan(after.length * 0.2);
      const row = appeared[0] as CallRecordRow;
      const visibleAt = row.disconnectedTimeUTC + delayMs;
      expect(late.truth({ ...window, atMs: visibleAt - 1 }).some((r) => r.callId === row.callId)).toBe(false);
      expect(late.truth({ ...window, atMs: visibleAt }).some((r) => r.callId === row.callId)).toBe(true);
    } finally {
      await late.close();
    }
  });

  it('does not show a call before it has ended', () => {
    const current = sim.truth({ table: 'call-records', fromMs: NOW - 3_600_000, toMs: NOW + 3_600_000 });
    expect(current.length).toBeGreaterThan(0);
    expect(current.every((r) => r.disconnectedTimeUTC <= NOW)).toBe(true);
  });

  it('serves only the last 2 years: nothing older, and a longer range is cut', async () => {
    const token = await login(sim);
    const cutoff = NOW - RETENTION_MS;
    const old = {
      pbxId: 'acmecorp',
      startTime: '2023-01-01 00:00:00',
      endTime: '2023-01-02 00:00:00',
      timeZone: 'UTC',
      pageSize: '10',
    };
    expect((await getReport(sim, '/v2/call-legs', old, token)).json).toEqual({
      meta: { totalRecordCount: 0, scrollId: 'No Data' },
      data: [],
    });
    const endMs = cutoff + 3_600_000;
    const end = new Date(endMs).toISOString().slice(0, 19).replace('T', ' ');
    const long = { ...old, endTime: end, pageSize: '7000' };
    const rows = ((await getReport(sim, '/v2/call-legs', long, token)).json as PageBody).data;
    const expected = sim.truth({
      table: 'call-legs',
      fromMs: cutoff,
      toMs: endMs + 1000,
      pbxIds: ['acmecorp'],
    });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows).toEqual(expected);
    expect(Math.min(...rows.map((r) => r.disconnectedTimeUTC as number))).toBeGreaterThanOrEqual(cutoff);
  });
});
