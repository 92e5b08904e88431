/**
 * Saved queries that answer the first questions from the analytics views. The views read every day of their
 * tables (their rows are per call or per hour, not per partition): on a lake of many months, bound a scan
 * by querying the tables with a `dt` filter, or convert them to Parquet first.
 */

const q = (database: string, view: string) => `"${database}"."${view}"`;
const since = (days: number) => `current_date - INTERVAL '${days}' DAY`;

const QUERIES: Record<string, [name: string, description: string, sql: (db: string) => string]> = {
  calls_hourly: [
    'busiest-hours',
    'Busiest UTC hours of the week over the last 28 days, with answered, missed and abandoned calls',
    (db) =>
      [
        `-- Busiest hours: calls per weekday and UTC hour over the last 28 days, from the calls_hourly view.`,
        `SELECT day_of_week(hour_utc) AS weekday, hour(hour_utc) AS hour, sum(calls) AS calls,`,
        `  sum(answered) AS answered, sum(missed) AS missed, sum(abandoned) AS abandoned,`,
        `  round(max(p90_wait_seconds), 1) AS worst_p90_wait_seconds`,
        `FROM ${q(db, 'calls_hourly')}`,
        `WHERE hour_utc >= ${since(28)}`,
        `GROUP BY 1, 2`,
        `ORDER BY calls DESC`,
        `LIMIT 20`,
      ].join('\n'),
  ],
  missed_calls: [
    'missed-calls-not-called-back',
    'Inbound calls missed or abandoned in the last 7 days that nobody called back in time',
    (db) =>
      [
        `-- Unreturned missed calls of the last 7 days, from the missed_calls view: called_back is judged on`,
        `-- callback_window_hours; use hours_to_callback for another window.`,
        `SELECT pbx_id, missed_at, caller, caller_name, callee, outcome, first_callback_at, hours_to_callback`,
        `FROM ${q(db, 'missed_calls')}`,
        `WHERE NOT called_back AND missed_at >= ${since(7)}`,
        `ORDER BY missed_at DESC`,
      ].join('\n'),
  ],
  call_journeys: [
    'transferred-calls',
    'Calls of the last 7 days that were transferred, with their path and final disposition',
    (db) =>
      [
        `-- Transferred calls of the last 7 days and where they went, from the call_journeys view.`,
        `SELECT call_id, pbx_id, started_at, legs, transfers, answered_by_name, path, final_disposition`,
        `FROM ${q(db, 'call_journeys')}`,
        `WHERE transfers > 0 AND started_at >= ${since(7)}`,
        `ORDER BY transfers DESC, started_at DESC`,
      ].join('\n'),
  ],
  service_daily: [
    'ring-groups-and-queues-daily',
    'Legs offered to and answered by ring groups, queues and voicemail per day, last 30 days',
    (db) =>
      [
        `-- Ring groups, queues and other services per day over the last 30 days, from the service_daily view.`,
        `SELECT day_utc, pbx_id, service_name, legs_offered, legs_connected, legs_answered,`,
        `  round(avg_ring_seconds, 1) AS avg_ring_seconds, round(avg_talk_seconds, 1) AS avg_talk_seconds`,
        `FROM ${q(db, 'service_daily')}`,
        `WHERE service_name IS NOT NULL AND day_utc >= ${since(30)}`,
        `ORDER BY day_utc DESC, legs_offered DESC`,
      ].join('\n'),
  ],
};

/** The saved queries of the views the stack defines: [name, description, SQL]. */
export function viewQueries(database: string, views: readonly string[]): [string, string, string][] {
  return views.flatMap((view) => {
    const query = QUERIES[view];
    return query ? [[query[0], query[1], query[2](database)] as [string, string, string]] : [];
  });
}
