/**
 * Column declarations of the API fields both reports send with the same meaning. Each table lists its own
 * order in `columns-legs.ts` / `columns-records.ts`; `record-schema.ts` compiles them.
 */

/**
 * Logical type of a lake column. `local_time` is a string column holding the API's local-time text
 * (`2022-02-03T09:27:27.499-0500`), with the API's never-connected `"0"` read as null. `bigint` holds any
 * integer the API sends (a field in seconds today may carry epoch milliseconds tomorrow); `int` (32-bit) is
 * for lineage only.
 */
export type ColumnType = 'string' | 'local_time' | 'epoch_ms' | 'bigint' | 'int' | 'string[]';

/** The types an API field may have: never `int`, which a wider value would overflow. */
export type ApiColumnType = Exclude<ColumnType, 'int'>;

/** One documented API field and the column it becomes. */
export interface FieldSpec {
  readonly apiName: string;
  readonly type: ApiColumnType;
  readonly doc: string;
}

/** Declares a field; the column name is derived from `apiName` by `snakeCase`, never written by hand. */
export function field(apiName: string, type: ApiColumnType, doc: string): FieldSpec {
  return { apiName, type, doc };
}

const NEVER = 'the API sends 0 when it never happened: null';

/** Fields common to call legs and call records. */
export const COMMON = {
  callId: field('callId', 'string', 'Call id shared by the legs of one call; digits, kept a string (an id).'),
  startTimeUTC: field('startTimeUTC', 'epoch_ms', 'Start, epoch milliseconds UTC.'),
  startTime: field(
    'startTime',
    'local_time',
    'Start in the request time zone, as sent (offset without colon).',
  ),
  connectTimeUTC: field(
    'connectTimeUTC',
    'epoch_ms',
    `Connect (alerting to connected), epoch ms UTC; ${NEVER}.`,
  ),
  connectTime: field(
    'connectTime',
    'local_time',
    'Connect time in the request time zone; "0" (never) is null.',
  ),
  disconnectedTimeUTC: field('disconnectedTimeUTC', 'epoch_ms', 'Disconnect, epoch ms UTC: the filter time.'),
  disconnectedTime: field('disconnectedTime', 'local_time', 'Disconnect time in the request time zone.'),
  talkTimeMS: field('talkTimeMS', 'bigint', 'Talk time in milliseconds.'),
  talkTime: field('talkTime', 'string', 'Talk time as HH:MM:SS.'),
  caller: field('caller', 'string', 'Calling number or extension.'),
  callerName: field('callerName', 'string', 'Calling party name.'),
  callee: field('callee', 'string', 'Called number, extension or service.'),
  calleeName: field('calleeName', 'string', 'Called party name.'),
  lra: field('lra', 'string', 'Last redirected address: the extension that last redirected the call.'),
  direction: field('direction', 'string', 'Incoming, Outgoing or Internal.'),
  dnis: field('dnis', 'string', 'Dialled number (DNIS); digits, kept a string.'),
  callerId: field('callerId', 'string', 'Caller id as presented, "name,number".'),
  missed: field('missed', 'string', '"Missed" or "-", kept as sent.'),
  abandoned: field('abandoned', 'string', '"Abandoned" or "-", kept as sent.'),
  answered: field('answered', 'string', '"Answered" or "-", kept as sent.'),
  calleeHoldDurationMS: field('calleeHoldDurationMS', 'bigint', 'Time the callee was on hold, milliseconds.'),
  calleeHoldDuration: field('calleeHoldDuration', 'string', 'Time the callee was on hold, HH:MM:SS.'),
  calleeDisconnectOnHold: field('calleeDisconnectOnHold', 'string', 'Whether the callee hung up on hold.'),
  callerDisconnectOnHold: field('callerDisconnectOnHold', 'string', 'Whether the caller hung up on hold.'),
  pbxId: field('pbxId', 'string', 'PBX name the call belongs to.'),
  sipCallId: field('sipCallId', 'string', 'SIP Call-ID.'),
  callTime: field('callTime', 'bigint', 'Total call time, milliseconds.'),
  departments: field('departments', 'string[]', 'Departments of the user; null and [] kept apart.'),
  branches: field('branches', 'string[]', 'Branches (sites) of the user; null and [] kept apart.'),
} as const satisfies Record<string, FieldSpec>;
