import type { LakeDb } from '../adapters/duckdb-lake.js';
import type { LedgerEntry } from '../core/ledger.js';
import type { Table } from '../core/tables.js';
import { windowDay, windowId, windowsFor } from '../core/windows.js';
import {
  type DayCalls,
  type HourCalls,
  type HourKpis,
  hourCalls,
  hourKpis,
  lakePbxes,
  type WeekdayHour,
  weekdayHours,
} from './report-local.js';
import { type PbxZone, resolveZones, type ZoneChoice } from './report-zones.js';

export type { DayCalls, HourCalls, HourKpis, WeekdayHour } from './report-local.js';
export type { PbxZone } from './report-zones.js';

/** The state of one grid window in the ledger, as the report colours it. */
export type WindowState = 'settled' | 'published' | 'mismatch' | 'failed' | 'running' | 'missing' | 'pending';

export interface UnreturnedCall {
  pbx_id: string;
  missed_at: string;
  caller: string;
  caller_name: string | null;
  callee: string;
  outcome: string;
  hours_to_callback: number | null;
  /** `not_called_back`, or `pending`: the lake does not reach the end of its callback window yet. */
  callback_state: string;
}

/** The inbound calls of the range: the only calls that can be missed, so the rates' denominator. */
export interface InboundKpis {
  inbound: number;
  answered: number;
  missed: number;
  abandoned: number;
  outbound: number;
  internal: number;
  /** Answered inbound calls whose wait was at most `serviceLevelSeconds`. */
  withinServiceLevel: number;
  serviceLevelSeconds: number;
  /** Average wait of the answered inbound calls (average speed of answer), and the 90th percentile wait. */
  avgAnswerSeconds: number | null;
  p90WaitSeconds: number | null;
}

/** How much of the range the lake holds: a day is loaded when every window of every table that ended is. */
export interface Coverage {
  days: number;
  loaded: number;
  partly: string[];
  missing: string[];
}

/** Missed inbound calls by callback state. */
export interface Callbacks {
  called_back: number;
  not_called_back: number;
  pending: number;
}

/** A period's KPIs and how much of it is loaded: none loaded means no data, never zeros. */
export interface PeriodKpis {
  from: string;
  to: string;
  coverage: Coverage;
  kpis: InboundKpis;
  callbacks: Callbacks;
}

/** What the report draws: every number comes from the analytics views or the ledger. */
export interface ReportData {
  lake: string;
  from: string;
  to: string;
  generatedAt: string;
  gridMinutes: number;
  /** Each PBX's zone: its hours and weekdays below are local ones. */
  zones: PbxZone[];
  /** Calls per local day and hour of their start, every PBX together (the heatmap). */
  hours: HourCalls[];
  days: DayCalls[];
  busiest: HourCalls[];
  /** Inbound service level, speed of answer and p90 wait per local hour of the day. */
  perHour: HourKpis[];
  /** Inbound and missed calls per local weekday and hour. */
  weekdays: WeekdayHour[];
  /** The same-length range just before this one, for the KPIs' change. */
  previous: PeriodKpis;
  unreturned: { total: number; shown: UnreturnedCall[]; callbackHours: number };
  kpis: InboundKpis;
  /** Missed inbound calls by callback state. */
  callbacks: Callbacks;
  coverage: Coverage;
  /** Ring groups, queues and other services by legs offered (service_daily), the busiest first. */
  services: { pbx_id: string; service: string; type: string; offered: number; answered: number }[];
  /** Who answered calls (call_journeys' answered_by), the busiest first. */
  agents: { pbx_id: string; agent: string; name: string | null; answered: number }[];
  health: { table: Table; days: { day: string; windows: WindowState[] }[] }[];
}

export interface ReportRange {
  fromMs: number;
  toMs: number;
  nowMs: number;
  gridMinutes: number;
  tables: readonly Table[];
  /** Answered within this many seconds counts toward the service level (default 20). */
  serviceLevelSeconds?: number;
  /** The zones `--time-zone` gave; PBXes without one are read in UTC. */
  zones?: ZoneChoice;
}

const iso = (ms: number) => new Date(ms).toISOString();
const sqlTs = (ms: number) => `TIMESTAMP '${iso(ms).replace('T', ' ').replace('Z', '')}'`;
const num = (value: unknown) => Number(value ?? 0);

/** Reads the report's numbers from a lake opened with its views, and the ledger entries of the range. */
export async function collectReport(
  lake: LakeDb,
  ledger: readonly LedgerEntry[],
  name: string,
  range: ReportRange,
): Promise<ReportData> {
  const sl = range.serviceLevelSeconds ?? 20;
  const zones = resolveZones(range.zones ?? { perPbx: {} }, await lakePbxes(lake));
  const local = { fromMs: range.fromMs, toMs: range.toMs, zones, serviceLevelSeconds: sl };
  const hours = await hourCalls(lake, local);
  const days = new Map<string, DayCalls>();
  for (const h of hours) {
    const d = days.get(h.day) ?? { day: h.day, calls: 0, answered: 0, missed: 0, abandoned: 0 };
    for (const key of ['calls', 'answered', 'missed', 'abandoned'] as const) d[key] += h[key];
    days.set(h.day, d);
  }
  const busiest = [...hours].sort((a, b) => b.calls - a.calls || a.day.localeCompare(b.day)).slice(0, 10);
  const missedIn = `missed_at >= ${sqlTs(range.fromMs)} AND missed_at < ${sqlTs(range.toMs)}`;
  const [total] = await lake.query(
    `SELECT count(*) AS n, max(callback_window_hours) AS hours FROM missed_calls
     WHERE ${missedIn} AND callback_state = 'not_called_back'`,
  );
  const callbacks = await callbacksOf(lake, range);
  const shown = await lake.query(
    `SELECT pbx_id, strftime(missed_at, '%Y-%m-%d %H:%M') AS missed_at, caller, caller_name, callee, outcome,
            round(hours_to_callback, 1) AS hours_to_callback, callback_state
     FROM missed_calls WHERE ${missedIn} AND NOT called_back
     ORDER BY callback_state, missed_at DESC, call_id LIMIT 12`,
  );
  const kpis = await inboundKpis(lake, range);
  const dayRange = `day_utc >= CAST(${sqlTs(range.fromMs)} AS date) AND day_utc < CAST(${sqlTs(range.toMs)} AS date) + INTERVAL 1 DAY`;
  const services = (
    await lake.query(
      `SELECT pbx_id, service_name AS service, coalesce(service_type, '') AS type,
              sum(legs_offered) AS offered, sum(legs_answered) AS answered
       FROM service_daily WHERE service_name IS NOT NULL AND ${dayRange}
       GROUP BY 1, 2, 3 ORDER BY offered DESC, pbx_id, service LIMIT 10`,
    )
  ).map((r) => ({
    pbx_id: String(r.pbx_id),
    service: String(r.service),
    type: String(r.type),
    offered: num(r.offered),
    answered: num(r.answered),
  }));
  const agents = (
    await lake.query(
      `SELECT pbx_id, answered_by AS agent, min(answered_by_name) AS name, count(*) AS answered
       FROM call_journeys
       WHERE answered AND answered_by IS NOT NULL AND started_at >= ${sqlTs(range.fromMs)}
         AND started_at < ${sqlTs(range.toMs)}
       GROUP BY 1, 2 ORDER BY answered DESC, pbx_id, agent LIMIT 10`,
    )
  ).map((r) => ({
    pbx_id: String(r.pbx_id),
    agent: String(r.agent),
    name: r.name === null || r.name === undefined ? null : String(r.name),
    answered: num(r.answered),
  }));
  const health = range.tables.map((table) => ({ table, days: healthGrid(ledger, table, range) }));
  const length = range.toMs - range.fromMs;
  const before = { ...range, fromMs: range.fromMs - length, toMs: range.fromMs };
  const beforeHealth = range.tables.map((table) => ({ table, days: healthGrid(ledger, table, before) }));
  const previous: PeriodKpis = {
    from: iso(before.fromMs),
    to: iso(before.toMs),
    coverage: coverageOf(beforeHealth, before),
    kpis: await inboundKpis(lake, before),
    callbacks: await callbacksOf(lake, before),
  };
  return {
    lake: name,
    from: iso(range.fromMs),
    to: iso(range.toMs),
    generatedAt: iso(range.nowMs),
    gridMinutes: range.gridMinutes,
    zones,
    hours,
    days: [...days.values()],
    busiest,
    perHour: await hourKpis(lake, local),
    weekdays: await weekdayHours(lake, local),
    previous,
    unreturned: {
      total: num(total?.n),
      shown: shown as unknown as UnreturnedCall[],
      callbackHours: num(total?.hours) || 24,
    },
    kpis,
    callbacks,
    services,
    agents,
    coverage: coverageOf(health, range),
    health,
  };
}

/** A range's missed inbound calls by callback state (missed_calls), by the time they were missed. */
async function callbacksOf(lake: LakeDb, range: Pick<ReportRange, 'fromMs' | 'toMs'>): Promise<Callbacks> {
  const states = await lake.query(
    `SELECT callback_state AS state, count(*) AS n FROM missed_calls
     WHERE missed_at >= ${sqlTs(range.fromMs)} AND missed_at < ${sqlTs(range.toMs)} GROUP BY 1`,
  );
  const callbacks: Callbacks = { called_back: 0, not_called_back: 0, pending: 0 };
  for (const row of states) {
    const state = String(row.state) as keyof Callbacks;
    if (state in callbacks) callbacks[state] = num(row.n);
  }
  return callbacks;
}

/** The range's inbound calls by outcome, the service level, the speed of answer, from call_records. */
async function inboundKpis(
  lake: LakeDb,
  range: Pick<ReportRange, 'fromMs' | 'toMs' | 'serviceLevelSeconds'>,
): Promise<InboundKpis> {
  const sl = range.serviceLevelSeconds ?? 20;
  const inbound = `direction = 'Incoming'`;
  const [row] = await lake.query(
    `SELECT count(*) FILTER (WHERE ${inbound}) AS inbound,
       count(*) FILTER (WHERE ${inbound} AND answered = 'Answered') AS answered,
       count(*) FILTER (WHERE ${inbound} AND missed = 'Missed') AS missed,
       count(*) FILTER (WHERE ${inbound} AND abandoned = 'Abandoned') AS abandoned,
       count(*) FILTER (WHERE direction = 'Outgoing') AS outbound,
       count(*) FILTER (WHERE direction = 'Internal') AS internal,
       count(*) FILTER (WHERE ${inbound} AND answered = 'Answered' AND wait_time_ms <= ${sl * 1000}) AS within,
       avg(CASE WHEN ${inbound} AND answered = 'Answered' THEN wait_time_ms / 1e3 END) AS asa,
       approx_percentile(CASE WHEN ${inbound} THEN wait_time_ms / 1e3 END, 0.9) AS p90
     FROM call_records
     WHERE start_time_utc >= ${range.fromMs} AND start_time_utc < ${range.toMs}`,
  );
  const orNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    inbound: num(row?.inbound),
    answered: num(row?.answered),
    missed: num(row?.missed),
    abandoned: num(row?.abandoned),
    outbound: num(row?.outbound),
    internal: num(row?.internal),
    withinServiceLevel: num(row?.within),
    serviceLevelSeconds: sl,
    avgAnswerSeconds: orNull(row?.asa),
    p90WaitSeconds: orNull(row?.p90),
  };
}

/**
 * The range's UTC days the lake holds whole, in part or not at all: a day counts as loaded when every window of
 * every table that has ended, within the range, is published; a day with none is missing.
 */
export function coverageOf(
  health: readonly { days: readonly { day: string; windows: readonly WindowState[] }[] }[],
  range: Pick<ReportRange, 'fromMs' | 'toMs' | 'gridMinutes'>,
): Coverage {
  // Only the windows of the range count: a report of a busy afternoon is whole when the afternoon is.
  const windowMs = range.gridMinutes * 60_000;
  const byDay = new Map<string, WindowState[]>();
  for (const table of health)
    for (const d of table.days) {
      const dayMs = Date.parse(`${d.day}T00:00:00Z`);
      const inRange = d.windows.filter((_, i) => {
        const startMs = dayMs + i * windowMs;
        return startMs < range.toMs && startMs + windowMs > range.fromMs;
      });
      if (inRange.length) byDay.set(d.day, [...(byDay.get(d.day) ?? []), ...inRange]);
    }
  const coverage: Coverage = { days: 0, loaded: 0, partly: [], missing: [] };
  const held = new Set<WindowState>(['settled', 'published', 'mismatch']);
  for (const [day, windows] of [...byDay].sort(([a], [b]) => a.localeCompare(b))) {
    const ended = windows.filter((w) => w !== 'pending');
    if (ended.length === 0) continue;
    coverage.days++;
    const have = ended.filter((w) => held.has(w)).length;
    if (have === ended.length) coverage.loaded++;
    else if (have === 0) coverage.missing.push(day);
    else coverage.partly.push(day);
  }
  return coverage;
}

/** A table's windows over the whole UTC days of the range, each in its ledger state. */
export function healthGrid(
  ledger: readonly LedgerEntry[],
  table: Table,
  range: ReportRange,
): { day: string; windows: WindowState[] }[] {
  const byWindow = new Map(ledger.filter((e) => e.table === table).map((e) => [e.window, e]));
  const dayStart = Math.floor(range.fromMs / 86_400_000) * 86_400_000;
  const dayEnd = Math.ceil(range.toMs / 86_400_000) * 86_400_000;
  const grid: { day: string; windows: WindowState[] }[] = [];
  for (const window of windowsFor(dayStart, dayEnd, range.gridMinutes)) {
    const day = windowDay(window);
    let row = grid.at(-1);
    if (row?.day !== day) {
      row = { day, windows: [] };
      grid.push(row);
    }
    row.windows.push(stateOf(byWindow.get(windowId(window)), window.endMs <= range.nowMs));
  }
  return grid;
}

function stateOf(entry: LedgerEntry | undefined, ended: boolean): WindowState {
  if (!entry) return ended ? 'missing' : 'pending';
  if (entry.status !== 'published') return entry.status;
  if (entry.reconciliation.verdict === 'mismatch') return 'mismatch';
  return entry.settled ? 'settled' : 'published';
}
