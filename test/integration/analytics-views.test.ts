import { beforeAll, describe, expect, it } from 'vitest';
import { type LakeDb, openLake } from '../../functions/adapters/duckdb-lake.js';
import { duckdbViewTypes, viewDefinitions } from '../../functions/core/views.js';
import type { CallLegRow, CallRecordRow } from '../../functions/simulator/index.js';
import { addRows, analyticsLakes, groupBy, HOUR, pullBusyAfternoon, tsText } from './analytics-lake.js';

const { simulator, lakeDir } = analyticsLakes();
let lake: LakeDb;
let legs: CallLegRow[];
let records: CallRecordRow[];

const SIDE = new Set(['CallRecording', 'CallForking']);
const isAnswered = (row: { answered: string }) => row.answered === 'Answered';
const byStart = (a: CallLegRow, b: CallLegRow) =>
  a.startTimeUTC - b.startTimeUTC || a.callId.localeCompare(b.callId) || Number(a.legId) - Number(b.legId);

/** A missed inbound call, its callback 2 h later, a callback too late (30 h), and a call linked across ids. */
function addedRows(truth: { legs: CallLegRow[]; records: CallRecordRow[] }) {
  const missed = truth.records.filter((r) => r.direction === 'Incoming' && r.missed === 'Missed');
  const outbound = truth.records.find((r) => r.direction === 'Outgoing');
  const [soon, late] = missed;
  if (!soon || !late || !outbound) throw new Error('the busy afternoon has missed and outbound calls');
  const callback = (to: CallRecordRow, afterMs: number, id: string): CallRecordRow => ({
    ...outbound,
    callId: id,
    pbxId: to.pbxId,
    callee: to.caller,
    startTimeUTC: to.startTimeUTC + afterMs,
    disconnectedTimeUTC: to.startTimeUTC + afterMs + 60_000,
  });
  const first = truth.legs.find((l) => l.direction === 'Incoming' && isAnswered(l));
  if (!first) throw new Error('the busy afternoon has answered inbound legs');
  const leg = { ...first, legId: '1', parentCallId: null, transferToCallId: null };
  const root = { ...leg, callId: '9999990000001', transferToCallId: '9999990000002' };
  const hop = { ...leg, callId: '9999990000002', startTimeUTC: first.startTimeUTC + 60_000 };
  const child = { ...leg, callId: '9999990000003', parentCallId: '9999990000001' };
  return {
    records: [callback(soon, 2 * HOUR, '9999990000101'), callback(late, 30 * HOUR, '9999990000102')],
    legs: [root, hop, { ...child, answered: '-', startTimeUTC: first.startTimeUTC + 1000 }],
  };
}

beforeAll(async () => {
  const sim = await simulator();
  const out = lakeDir();
  const truth = await pullBusyAfternoon(sim, out);
  const added = addedRows(truth as { legs: CallLegRow[]; records: CallRecordRow[] });
  addRows(out, 'call-records', '2026-06-11', added.records);
  addRows(out, 'call-legs', '2026-06-10', added.legs);
  legs = [...(truth.legs as CallLegRow[]), ...added.legs];
  records = [...(truth.records as CallRecordRow[]), ...added.records];
  lake = await openLake(out);
  return () => lake.close();
});

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const mean = (values: number[]) => sum(values) / values.length;
// The nearest rank: the smallest value that at least 90 % of the values do not exceed.
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.9) - 1];

describe('the analytics views over a lake pulled from the simulator', () => {
  it('gives each view the columns and types Athena is told of', async () => {
    for (const view of viewDefinitions()) {
      const described = await lake.query(`DESCRIBE ${view.name}`);
      expect(Object.fromEntries(described.map((c) => [c.column_name, c.column_type]))).toEqual(
        duckdbViewTypes(view),
      );
    }
  });

  it('counts calls_hourly per PBX and start hour from the API words, with waits and talk minutes', async () => {
    const rows = await lake.query('SELECT * FROM calls_hourly ORDER BY pbx_id, hour_utc');
    const groups = groupBy(records, (r) => `${r.pbxId} ${Math.floor(r.startTimeUTC / HOUR) * HOUR}`);
    expect(rows.length).toBe(groups.size);
    expect(rows.length).toBeGreaterThan(18);
    for (const row of rows) {
      const hour = Date.parse(`${String(row.hour_utc).replace(' ', 'T')}Z`);
      const group = groups.get(`${row.pbx_id} ${hour}`) ?? [];
      const waits = group.map((r) => r.waitTimeMS / 1000);
      expect(row).toMatchObject({
        calls: group.length,
        answered: group.filter(isAnswered).length,
        missed: group.filter((r) => r.missed === 'Missed').length,
        abandoned: group.filter((r) => r.abandoned === 'Abandoned').length,
        inbound: group.filter((r) => r.direction === 'Incoming').length,
        outbound: group.filter((r) => r.direction === 'Outgoing').length,
        internal: group.filter((r) => r.direction === 'Internal').length,
        p90_wait_seconds: p90(waits),
      });
      expect(row.avg_wait_seconds).toBeCloseTo(mean(waits), 9);
      expect(row.talk_minutes).toBeCloseTo(sum(group.map((r) => r.talkTimeMS)) / 60_000, 9);
    }
    const busiest = rows.find((r) => r.hour_utc === tsText(Date.UTC(2026, 5, 10, 15)));
    expect(busiest?.calls).toBeGreaterThan(50);
  });

  it('follows each call_journey through ring groups, queues and transfers, across call ids', async () => {
    const rows = await lake.query('SELECT * FROM call_journeys');
    const transferredTo = new Map(
      legs
        .filter((l) => l.transferToCallId && l.transferToCallId !== l.callId)
        .map((l) => [l.transferToCallId, l.callId]),
    );
    const rootOf = (l: CallLegRow) =>
      transferredTo.get(l.callId) ??
      (l.parentCallId && l.parentCallId !== l.callId ? l.parentCallId : l.callId);
    const journeys = groupBy(legs, rootOf);
    expect(rows.length).toBe(journeys.size);
    const byId = new Map(rows.map((r) => [r.call_id, r]));
    for (const [id, group] of journeys) {
      const ordered = [...group].sort(byStart);
      const main = ordered.filter((l) => !SIDE.has(l.calleeSvcName ?? ''));
      // A ring group's or queue's own leg is answered too when a member took the call: the person comes first.
      const answeredBy = [...group]
        .filter(isAnswered)
        .sort(
          (a, b) =>
            Number(a.calleeSvcName !== null) - Number(b.calleeSvcName !== null) ||
            a.connectTimeUTC - b.connectTimeUTC,
        )[0];
      const last = [...main].sort(
        (a, b) =>
          b.disconnectedTimeUTC - a.disconnectedTimeUTC ||
          b.callId.localeCompare(a.callId) ||
          Number(b.legId) - Number(a.legId),
      )[0];
      expect(byId.get(id), id).toEqual({
        call_id: id,
        pbx_id: group[0]?.pbxId,
        call_ids: [...new Set(group.map((l) => l.callId))].sort(),
        started_at: tsText(Math.min(...group.map((l) => l.startTimeUTC))),
        ended_at: tsText(Math.max(...group.map((l) => l.disconnectedTimeUTC))),
        direction: ordered[0]?.direction,
        caller: ordered[0]?.caller,
        legs: group.length,
        answered: answeredBy !== undefined,
        answered_by: answeredBy?.callee ?? null,
        answered_by_name: answeredBy?.calleeName ?? null,
        transfers: group.filter((l) => l.transferToCallId !== null).length,
        path: main.map((l) => (l.calleeSvcName ? `${l.calleeSvcName}:${l.callee}` : l.callee)),
        final_disposition: last?.propsLastPartyDisp,
      });
    }
    expect(byId.get('9999990000001')?.call_ids).toEqual(['9999990000001', '9999990000002', '9999990000003']);
    expect(rows.filter((r) => Number(r.transfers) > 0).length).toBeGreaterThan(10);
    expect(rows.filter((r) => Number(r.legs) >= 4).length).toBeGreaterThan(10);
  });

  it('lists missed_calls with the first callback and whether it came within 24 hours', async () => {
    const rows = await lake.query('SELECT * FROM missed_calls ORDER BY missed_at, call_id');
    const missed = records
      .filter((r) => r.direction === 'Incoming' && (r.missed === 'Missed' || r.abandoned === 'Abandoned'))
      .sort((a, b) => a.startTimeUTC - b.startTimeUTC || a.callId.localeCompare(b.callId));
    expect(rows.length).toBe(missed.length);
    expect(missed.length).toBeGreaterThan(100);
    const lakeEnd = Math.max(...records.map((r) => r.disconnectedTimeUTC));
    const states = { called_back: 0, pending: 0, not_called_back: 0 };
    missed.forEach((m, i) => {
      const callback = records
        .filter((o) => o.pbxId === m.pbxId && o.direction === 'Outgoing' && o.callee === m.caller)
        .filter((o) => o.startTimeUTC > m.startTimeUTC)
        .sort((a, b) => a.startTimeUTC - b.startTimeUTC)[0];
      const hours = callback ? (callback.startTimeUTC - m.startTimeUTC) / HOUR : null;
      const state =
        hours !== null && hours <= 24
          ? 'called_back'
          : (lakeEnd - m.startTimeUTC) / HOUR < 24
            ? 'pending'
            : 'not_called_back';
      states[state]++;
      expect(rows[i]).toMatchObject({
        pbx_id: m.pbxId,
        call_id: m.callId,
        caller: m.caller,
        missed_at: tsText(m.startTimeUTC),
        outcome: m.abandoned === 'Abandoned' ? 'Abandoned' : 'Missed',
        first_callback_at: callback ? tsText(callback.startTimeUTC) : null,
        hours_to_callback: hours,
        called_back: hours !== null && hours <= 24,
        callback_window_hours: 24,
        callback_state: state,
      });
    });
    // The simulator calls some missed callers back; the added callback 30 h later reaches the lake's end past
    // every missed call's 24 h, so none is pending.
    expect(rows.filter((r) => r.called_back).length).toBe(states.called_back);
    expect(states.called_back).toBeGreaterThan(missed.length * 0.3);
    expect(states.not_called_back).toBeGreaterThan(missed.length * 0.2);
    expect(states.pending).toBe(0);
    expect(rows.filter((r) => r.first_callback_at !== null).length).toBeGreaterThan(states.called_back);
  });

  it('sums service_daily per day and callee service: legs offered, answered, ring and talk time', async () => {
    const rows = await lake.query('SELECT * FROM service_daily');
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const groups = groupBy(
      legs,
      (l) => `${day(l.startTimeUTC)} ${l.pbxId} ${l.calleeSvcName} ${l.calleeSvcType}`,
    );
    expect(rows.length).toBe(groups.size);
    for (const row of rows) {
      const group = groups.get(`${row.day_utc} ${row.pbx_id} ${row.service_name} ${row.service_type}`) ?? [];
      const answered = group.filter(isAnswered);
      expect(row).toMatchObject({
        legs_offered: group.length,
        legs_connected: group.filter((l) => l.connectTimeUTC > 0).length,
        legs_answered: answered.length,
      });
      const ring = group.map((l) => ((l.connectTimeUTC || l.disconnectedTimeUTC) - l.startTimeUTC) / 1000);
      expect(row.avg_ring_seconds).toBeCloseTo(mean(ring), 9);
      if (answered.length === 0) expect(row.avg_talk_seconds).toBeNull();
      else expect(row.avg_talk_seconds).toBeCloseTo(mean(answered.map((l) => l.talkTimeMS / 1000)), 9);
    }
    const services = new Set(rows.map((r) => r.service_name));
    for (const name of ['RingGroup', 'ACDOperatorService', 'VMadvanced']) expect(services).toContain(name);
  });
});
