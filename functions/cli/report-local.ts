import type { LakeDb } from '../adapters/duckdb-lake.js';
import { localTimeSql, type PbxZone } from './report-zones.js';

/** The report's numbers by local hour and weekday: each call at its PBX's local time of start. */

export interface DayCalls {
  /** The local date, `YYYY-MM-DD`. */
  day: string;
  calls: number;
  answered: number;
  missed: number;
  abandoned: number;
}

export interface HourCalls extends DayCalls {
  /** Local hour 0..23 of the day. */
  hour: number;
}

/** The inbound calls that started in one local hour of the day, over the whole range. */
export interface HourKpis {
  hour: number;
  inbound: number;
  answered: number;
  missed: number;
  /** Answered within the service level's seconds. */
  within: number;
  avgAnswerSeconds: number | null;
  p90WaitSeconds: number | null;
}

/** Inbound and missed inbound calls of one local weekday (ISO: 1 Monday .. 7 Sunday) and hour. */
export interface WeekdayHour {
  weekday: number;
  hour: number;
  inbound: number;
  missed: number;
}

export interface LocalQuery {
  fromMs: number;
  toMs: number;
  zones: readonly PbxZone[];
  serviceLevelSeconds: number;
}

const num = (value: unknown) => Number(value ?? 0);
const orNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/** The range's call records with their local start: the range itself is UTC instants, as the flags give it. */
function localCalls(q: LocalQuery): string {
  return `WITH calls AS (
    SELECT direction, answered, missed, abandoned, wait_time_ms, ${localTimeSql(q.zones, 'start_time_utc')} AS local_start
    FROM call_records WHERE start_time_utc >= ${q.fromMs} AND start_time_utc < ${q.toMs}
  )`;
}

/** Every call per local day and hour of start (the volume heatmap, the days, the busiest hours). */
export async function hourCalls(lake: LakeDb, q: LocalQuery): Promise<HourCalls[]> {
  const rows = await lake.query(
    `${localCalls(q)}
     SELECT strftime(local_start, '%Y-%m-%d') AS day, hour(local_start) AS hour, count(*) AS calls,
       count(*) FILTER (WHERE answered = 'Answered') AS answered,
       count(*) FILTER (WHERE missed = 'Missed') AS missed,
       count(*) FILTER (WHERE abandoned = 'Abandoned') AS abandoned
     FROM calls GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows.map((r) => ({
    day: String(r.day),
    hour: num(r.hour),
    calls: num(r.calls),
    answered: num(r.answered),
    missed: num(r.missed),
    abandoned: num(r.abandoned),
  }));
}

/** Service level, speed of answer and p90 wait of the inbound calls per local hour of the day. */
export async function hourKpis(lake: LakeDb, q: LocalQuery): Promise<HourKpis[]> {
  const rows = await lake.query(
    `${localCalls(q)}
     SELECT hour(local_start) AS hour, count(*) AS inbound,
       count(*) FILTER (WHERE answered = 'Answered') AS answered,
       count(*) FILTER (WHERE missed = 'Missed') AS missed,
       count(*) FILTER (WHERE answered = 'Answered' AND wait_time_ms <= ${q.serviceLevelSeconds * 1000}) AS within,
       avg(CASE WHEN answered = 'Answered' THEN wait_time_ms / 1e3 END) AS asa,
       approx_percentile(wait_time_ms / 1e3, 0.9) AS p90
     FROM calls WHERE direction = 'Incoming' GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => ({
    hour: num(r.hour),
    inbound: num(r.inbound),
    answered: num(r.answered),
    missed: num(r.missed),
    within: num(r.within),
    avgAnswerSeconds: orNull(r.asa),
    p90WaitSeconds: orNull(r.p90),
  }));
}

/** Inbound calls and missed ones per local weekday and hour: the staffing pattern. */
export async function weekdayHours(lake: LakeDb, q: LocalQuery): Promise<WeekdayHour[]> {
  const rows = await lake.query(
    `${localCalls(q)}
     SELECT isodow(local_start) AS weekday, hour(local_start) AS hour, count(*) AS inbound,
       count(*) FILTER (WHERE missed = 'Missed') AS missed
     FROM calls WHERE direction = 'Incoming' GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows.map((r) => ({
    weekday: num(r.weekday),
    hour: num(r.hour),
    inbound: num(r.inbound),
    missed: num(r.missed),
  }));
}

/** The PBXes the lake holds calls of, whatever the range: the ones `--time-zone` may name. */
export async function lakePbxes(lake: LakeDb): Promise<string[]> {
  const rows = await lake.query(
    `SELECT DISTINCT pbx_id FROM call_records WHERE pbx_id IS NOT NULL ORDER BY 1`,
  );
  return rows.map((r) => String(r.pbx_id));
}
