/**
 * The SQL of the analytics views: one text per view, run as is by Athena (Trino) and by DuckDB. It is written
 * in the subset both dialects agree on, with three rules that keep them agreeing:
 * - Epoch milliseconds become a UTC timestamp as `CAST(from_unixtime(ms / 1e3, 'UTC') AS timestamp)`: Trino's
 *   function, which DuckDB lacks and gets as a macro (`TRINO_MACROS_DUCKDB`), returning a plain timestamp.
 * - Every division has a double on one side (`1e3`, `6e4`, `3.6e6`): Trino divides two integers as integers,
 *   DuckDB as doubles; `60000.0` would be a decimal in Trino.
 * - The 90th percentile is Trino's `approx_percentile`; DuckDB's macro computes it exactly (`quantile_disc`,
 *   the nearest rank), Athena approximately (within about 1% of rank).
 * - Conditional counts are `count(*) FILTER (WHERE …)`: `count_if` is BIGINT in Trino but HUGEINT in DuckDB.
 * Table names are unqualified: Athena resolves them in the view's database, DuckDB in its views of the lake.
 */

const ts = (ms: string) => `CAST(from_unixtime(${ms} / 1e3, 'UTC') AS timestamp)`;

/** Legs that only record or fork a call: they say nothing about where it went or how it ended. */
const SIDE_LEG = `coalesce(callee_svc_name, '') IN ('CallRecording', 'CallForking')`;

/**
 * The first leg answered by a person: a ring group or queue leg is 'Answered' too when a member or agent took the
 * call, and it connects first; the one who answered is the member's leg.
 */
const PERSON_FIRST = `callee_svc_name IS NOT NULL, connect_time_utc, call_id, leg_no`;

export const CALLS_HOURLY_SQL = `SELECT
  pbx_id,
  date_trunc('hour', ${ts('start_time_utc')}) AS hour_utc,
  count(*) AS calls,
  count(*) FILTER (WHERE answered = 'Answered') AS answered,
  count(*) FILTER (WHERE missed = 'Missed') AS missed,
  count(*) FILTER (WHERE abandoned = 'Abandoned') AS abandoned,
  count(*) FILTER (WHERE direction = 'Incoming') AS inbound,
  count(*) FILTER (WHERE direction = 'Outgoing') AS outbound,
  count(*) FILTER (WHERE direction = 'Internal') AS internal,
  avg(wait_time_ms / 1e3) AS avg_wait_seconds,
  approx_percentile(wait_time_ms / 1e3, 0.9) AS p90_wait_seconds,
  sum(talk_time_ms) / 6e4 AS talk_minutes
FROM call_records
WHERE start_time_utc IS NOT NULL
GROUP BY 1, 2`;

/**
 * Legs are gathered into the journey of their root call: a child leg (`parent_call_id`) into its parent's,
 * and the legs of a call that another call transferred to (`transfer_to_call_id`) into that call's (one hop).
 */
export const CALL_JOURNEYS_SQL = `WITH transferred AS (
  SELECT transfer_to_call_id AS call_id, min(call_id) AS from_call_id
  FROM call_legs
  WHERE transfer_to_call_id IS NOT NULL AND transfer_to_call_id <> call_id
  GROUP BY transfer_to_call_id
),
journey_legs AS (
  SELECT
    coalesce(t.from_call_id, nullif(l.parent_call_id, l.call_id), l.call_id) AS journey_id,
    l.call_id, l.pbx_id, l.start_time_utc, l.connect_time_utc, l.disconnected_time_utc, l.caller,
    l.callee, l.callee_name, l.callee_svc_name, l.direction, l.answered, l.transfer_to_call_id,
    l.props_last_party_disp, try_cast(l.leg_id AS bigint) AS leg_no
  FROM call_legs l LEFT JOIN transferred t ON t.call_id = l.call_id
  WHERE l.call_id IS NOT NULL
)
SELECT
  journey_id AS call_id,
  min(pbx_id) AS pbx_id,
  array_sort(array_distinct(array_agg(call_id))) AS call_ids,
  ${ts('min(start_time_utc)')} AS started_at,
  ${ts('max(disconnected_time_utc)')} AS ended_at,
  (array_agg(direction ORDER BY start_time_utc, call_id, leg_no))[1] AS direction,
  (array_agg(caller ORDER BY start_time_utc, call_id, leg_no))[1] AS caller,
  count(*) AS legs,
  count(*) FILTER (WHERE answered = 'Answered') > 0 AS answered,
  (array_agg(callee ORDER BY ${PERSON_FIRST}) FILTER (WHERE answered = 'Answered'))[1] AS answered_by,
  (array_agg(callee_name ORDER BY ${PERSON_FIRST}) FILTER (WHERE answered = 'Answered'))[1]
    AS answered_by_name,
  count(*) FILTER (WHERE transfer_to_call_id IS NOT NULL) AS transfers,
  array_agg(coalesce(callee_svc_name || ':', '') || coalesce(callee, '?')
    ORDER BY start_time_utc, call_id, leg_no) FILTER (WHERE NOT ${SIDE_LEG}) AS path,
  (array_agg(props_last_party_disp ORDER BY disconnected_time_utc DESC, call_id DESC, leg_no DESC)
    FILTER (WHERE NOT ${SIDE_LEG}))[1] AS final_disposition
FROM journey_legs
GROUP BY journey_id`;

/** Inbound calls missed or abandoned, and the first outbound call to the caller's number after each. */
export function missedCallsSql(callbackHours: number): string {
  if (!(callbackHours > 0 && callbackHours <= 24 * 31)) {
    throw new Error(`callbackHours must be more than 0 and at most 744, got ${callbackHours}`);
  }
  return `WITH missed AS (
  SELECT pbx_id, call_id, caller, caller_name, callee, start_time_utc, dt,
    CASE WHEN abandoned = 'Abandoned' THEN 'Abandoned' ELSE 'Missed' END AS outcome
  FROM call_records
  WHERE direction = 'Incoming' AND (missed = 'Missed' OR abandoned = 'Abandoned')
    AND start_time_utc IS NOT NULL AND call_id IS NOT NULL
),
callbacks AS (
  SELECT m.pbx_id, m.call_id, min(o.start_time_utc) AS callback_ms
  FROM missed m
  JOIN call_records o
    ON o.pbx_id = m.pbx_id AND o.direction = 'Outgoing' AND o.callee = m.caller
    AND o.start_time_utc > m.start_time_utc
  GROUP BY m.pbx_id, m.call_id
),
-- How far the lake reaches: a missed call with no callback yet, less than the window before it, is pending.
lake_end AS (
  SELECT max(disconnected_time_utc) AS end_ms FROM call_records
)
SELECT
  m.pbx_id,
  m.call_id,
  m.caller,
  m.caller_name,
  m.callee,
  ${ts('m.start_time_utc')} AS missed_at,
  m.outcome,
  ${ts('c.callback_ms')} AS first_callback_at,
  (c.callback_ms - m.start_time_utc) / 3.6e6 AS hours_to_callback,
  coalesce((c.callback_ms - m.start_time_utc) / 3.6e6 <= ${callbackHours}e0, false) AS called_back,
  ${callbackHours}e0 AS callback_window_hours,
  CASE
    WHEN (c.callback_ms - m.start_time_utc) / 3.6e6 <= ${callbackHours}e0 THEN 'called_back'
    WHEN (e.end_ms - m.start_time_utc) / 3.6e6 < ${callbackHours}e0 THEN 'pending'
    ELSE 'not_called_back'
  END AS callback_state,
  m.dt
FROM missed m
CROSS JOIN lake_end e
LEFT JOIN callbacks c ON c.pbx_id = m.pbx_id AND c.call_id = m.call_id`;
}

export const SERVICE_DAILY_SQL = `SELECT
  CAST(${ts('start_time_utc')} AS date) AS day_utc,
  pbx_id,
  callee_svc_name AS service_name,
  callee_svc_type AS service_type,
  count(*) AS legs_offered,
  count(*) FILTER (WHERE connect_time_utc IS NOT NULL) AS legs_connected,
  count(*) FILTER (WHERE answered = 'Answered') AS legs_answered,
  avg((coalesce(connect_time_utc, disconnected_time_utc) - start_time_utc) / 1e3) AS avg_ring_seconds,
  avg(CASE WHEN answered = 'Answered' THEN talk_time_ms / 1e3 END) AS avg_talk_seconds,
  sum(talk_time_ms) / 6e4 AS talk_minutes
FROM call_legs
WHERE start_time_utc IS NOT NULL
GROUP BY 1, 2, 3, 4`;

/**
 * Trino's functions that DuckDB lacks, as DuckDB macros with Trino's meaning, so that the views' SQL runs
 * unchanged on a local lake. The zone argument is always 'UTC' in the views.
 */
export const TRINO_MACROS_DUCKDB: readonly string[] = [
  `CREATE OR REPLACE MACRO from_unixtime(seconds, zone) AS make_timestamp(CAST(round(seconds * 1e6) AS BIGINT))`,
  `CREATE OR REPLACE MACRO approx_percentile(x, p) AS quantile_disc(x, p)`,
];
