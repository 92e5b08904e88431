import type { Table } from './tables.js';
import { CALL_JOURNEYS_SQL, CALLS_HOURLY_SQL, missedCallsSql, SERVICE_DAILY_SQL } from './views-sql.js';

export { TRINO_MACROS_DUCKDB } from './views-sql.js';

/** The type of a view column, named once and spelled per engine below. */
export type ViewColumnType = 'varchar' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'date' | 'varchar[]';

export interface ViewColumn {
  readonly name: string;
  readonly type: ViewColumnType;
  readonly doc: string;
}

/** An analytics view: its name, the tables it reads, its one SQL text and its columns in order. */
export interface ViewDefinition {
  readonly name: 'calls_hourly' | 'call_journeys' | 'missed_calls' | 'service_daily';
  readonly description: string;
  readonly reads: readonly Table[];
  readonly sql: string;
  readonly columns: readonly ViewColumn[];
}

/** Hours within which an outbound call to a missed caller counts as a callback (`missed_calls.called_back`). */
export const DEFAULT_CALLBACK_HOURS = 24;

const col = (name: string, type: ViewColumnType, doc: string): ViewColumn => ({ name, type, doc });
const count = (name: string, doc: string) => col(name, 'bigint', doc);

/** The four views, in the order they are created. */
export function viewDefinitions(callbackHours = DEFAULT_CALLBACK_HOURS): readonly ViewDefinition[] {
  return [
    {
      name: 'calls_hourly',
      description: 'Calls per PBX and UTC hour of their start, from call_records',
      reads: ['call-records'],
      sql: CALLS_HOURLY_SQL,
      columns: [
        col('pbx_id', 'varchar', 'PBX'),
        col('hour_utc', 'timestamp', 'UTC hour the calls started in'),
        count('calls', 'call records'),
        count('answered', "calls whose answered is 'Answered'"),
        count('missed', "calls whose missed is 'Missed' (abandoned calls are usually missed too)"),
        count('abandoned', "calls whose abandoned is 'Abandoned'"),
        count('inbound', "direction 'Incoming'"),
        count('outbound', "direction 'Outgoing'"),
        count('internal', "direction 'Internal'"),
        col('avg_wait_seconds', 'double', 'average wait_time_ms of the calls, in seconds'),
        col('p90_wait_seconds', 'double', '90th percentile of the wait, seconds (approximate in Athena)'),
        col('talk_minutes', 'double', 'sum of talk_time_ms, in minutes'),
      ],
    },
    {
      name: 'call_journeys',
      description: 'One row per call and its child or transferred-to calls, from call_legs',
      reads: ['call-legs'],
      sql: CALL_JOURNEYS_SQL,
      columns: [
        col('call_id', 'varchar', 'the root call: child legs and transferred-to calls are gathered into it'),
        col('pbx_id', 'varchar', 'PBX'),
        col('call_ids', 'varchar[]', 'every call id of the journey, sorted'),
        col('started_at', 'timestamp', 'start of the first leg, UTC'),
        col('ended_at', 'timestamp', 'disconnect of the last leg, UTC'),
        col('direction', 'varchar', 'direction of the first leg'),
        col('caller', 'varchar', 'caller of the first leg'),
        count('legs', 'legs of the journey'),
        col('answered', 'boolean', "whether a leg was 'Answered'"),
        col('answered_by', 'varchar', 'callee of the first leg a person answered (extension or number)'),
        col('answered_by_name', 'varchar', 'name of that callee'),
        count('transfers', 'legs with a transfer_to_call_id'),
        col(
          'path',
          'varchar[]',
          'callees in start order, services as svc:callee; recording/forking legs left out',
        ),
        col('final_disposition', 'varchar', 'props_last_party_disp of the leg that ended last'),
      ],
    },
    {
      name: 'missed_calls',
      description: `Inbound calls missed or abandoned, and whether the caller was called back within ${callbackHours} h`,
      reads: ['call-records'],
      sql: missedCallsSql(callbackHours),
      columns: [
        col('pbx_id', 'varchar', 'PBX'),
        col('call_id', 'varchar', 'the missed call'),
        col('caller', 'varchar', 'the number that called'),
        col('caller_name', 'varchar', 'its name'),
        col('callee', 'varchar', 'the number or service called'),
        col('missed_at', 'timestamp', 'start of the missed call, UTC'),
        col('outcome', 'varchar', "'Abandoned' or 'Missed'"),
        col('first_callback_at', 'timestamp', 'start of the first outbound call to the caller afterwards'),
        col('hours_to_callback', 'double', 'hours from the missed call to that callback'),
        col('called_back', 'boolean', 'a callback came within callback_window_hours'),
        col('callback_window_hours', 'double', 'the window called_back was judged on'),
        col(
          'callback_state',
          'varchar',
          "'called_back' (within the window), 'pending' (the window has not passed by the lake's last call), 'not_called_back'",
        ),
        col('dt', 'varchar', 'partition day of the missed call record'),
      ],
    },
    {
      name: 'service_daily',
      description: 'Legs per UTC day and callee service (ring groups, queues, voicemail), from call_legs',
      reads: ['call-legs'],
      sql: SERVICE_DAILY_SQL,
      columns: [
        col('day_utc', 'date', 'UTC day the legs started'),
        col('pbx_id', 'varchar', 'PBX'),
        col(
          'service_name',
          'varchar',
          'callee_svc_name (RingGroup, ACDOperatorService, VMadvanced…); null: a user or number',
        ),
        col('service_type', 'varchar', 'callee_svc_type'),
        count('legs_offered', 'legs to the service'),
        count('legs_connected', 'legs that connected'),
        count('legs_answered', "legs whose answered is 'Answered'"),
        col(
          'avg_ring_seconds',
          'double',
          'average time from start to connect (to disconnect if never connected)',
        ),
        col('avg_talk_seconds', 'double', 'average talk time of the answered legs'),
        col('talk_minutes', 'double', 'sum of talk_time_ms, in minutes'),
      ],
    },
  ];
}

const TRINO: Readonly<Record<ViewColumnType, string>> = {
  varchar: 'varchar',
  bigint: 'bigint',
  double: 'double',
  boolean: 'boolean',
  // Trino's `timestamp` is `timestamp(3)`: what `CAST(... AS timestamp)` and `date_trunc` of it give.
  timestamp: 'timestamp(3)',
  date: 'date',
  'varchar[]': 'array(varchar)',
};

const HIVE: Readonly<Record<ViewColumnType, string>> = {
  varchar: 'string',
  bigint: 'bigint',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
  date: 'date',
  'varchar[]': 'array<string>',
};

const DUCKDB: Readonly<Record<ViewColumnType, string>> = {
  varchar: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  'varchar[]': 'VARCHAR[]',
};

/** The Glue (Hive) columns of a view, for the catalog's storage descriptor. */
export function hiveViewColumns(view: ViewDefinition): { name: string; type: string; comment: string }[] {
  return view.columns.map((c) => ({ name: c.name, type: HIVE[c.type], comment: c.doc.slice(0, 255) }));
}

/** The DuckDB type of each column of a view, in order: what `DESCRIBE` must answer. */
export function duckdbViewTypes(view: ViewDefinition): Record<string, string> {
  return Object.fromEntries(view.columns.map((c) => [c.name, DUCKDB[c.type]]));
}

/**
 * The `ViewOriginalText` Athena reads a Glue view from: base64 JSON of the SQL and the Trino types of its
 * columns. Athena analyzes the SQL at each query and refuses the view as stale when a column's name, order or
 * coercible type differs from these, so they come from the same definition as the DuckDB view's test.
 */
export function prestoViewText(view: ViewDefinition, database: string): string {
  const json = JSON.stringify({
    originalSql: view.sql,
    catalog: 'awsdatacatalog',
    schema: database,
    columns: view.columns.map((c) => ({ name: c.name, type: TRINO[c.type] })),
  });
  return `/* Presto View: ${Buffer.from(json, 'utf8').toString('base64')} */`;
}
