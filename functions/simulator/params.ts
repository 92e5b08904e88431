import { ERROR_CODES, type ParamProblem } from './errors.js';
import { isValidTimeZone, localToInstant, parseLocalTime } from './time-zone.js';

export type Table = 'call-legs' | 'call-records';

/** A report request's query, checked and with its interval converted to instants. */
export interface ReportParams extends IntervalParams {
  table: Table;
  pageSize: number;
  scrollId: string | undefined;
  isConnectTime: boolean;
  isSimplified: boolean;
  caller: string[] | undefined;
  callee: string[] | undefined;
  callerOrCallee: string[] | undefined;
}

export const MAX_PAGE_SIZE = 7000;
const MAX_FILTER_VALUES = 125;

export const missing = (param: string): ParamProblem => ({
  param,
  code: ERROR_CODES.missingParameter,
  message: `Required request parameter '${param}' is not present`,
  type: 'missingValue',
  hint: `Add the query parameter ${param}`,
});

export const invalid = (param: string, code: string, message: string, hint: string): ParamProblem => ({
  param,
  code,
  message,
  type: 'invalidValue',
  hint,
});

function list(value: string): string[] {
  return [...new Set(value.split(',').map((v) => v.trim()))].filter((v) => v !== '');
}

/** The PBXes, zone and interval every report takes, as the reports and the summaries check them. */
export interface IntervalParams {
  pbx: string[] | 'allpbxes';
  timeZone: string;
  /** Instants of startTime and endTime (whole seconds); the API includes the whole end second. */
  startMs: number;
  endMs: number;
}

/** The first of `names` that the query lacks (or leaves empty), as a problem. */
export function missingOf(q: URLSearchParams, names: readonly string[]): ParamProblem | undefined {
  const absent = names.find((name) => !q.get(name));
  return absent === undefined ? undefined : missing(absent);
}

/** Checks pbxId, timeZone, startTime and endTime (present already) and converts the interval to instants. */
export function parseInterval(q: URLSearchParams): IntervalParams | ParamProblem {
  const pbxList = list(q.get('pbxId') ?? '');
  if (pbxList.length === 0) return missing('pbxId');
  const timeZone = q.get('timeZone') ?? '';
  if (!isValidTimeZone(timeZone)) {
    const hint = 'Use an IANA time zone such as America/New_York or UTC';
    return invalid('timeZone', ERROR_CODES.invalidTimeZone, `Invalid timeZone: ${timeZone}`, hint);
  }
  const walls: number[] = [];
  for (const name of ['startTime', 'endTime']) {
    const text = q.get(name) ?? '';
    const wall = parseLocalTime(text);
    if (wall === undefined) {
      const message = `Invalid ${name}: '${text}'. The format is YYYY-MM-DD HH:MM:SS`;
      return invalid(name, ERROR_CODES.invalidTime, message, 'Example: 2022-10-20 08:30:00');
    }
    walls.push(wall);
  }
  const startMs = localToInstant(walls[0] ?? 0, timeZone);
  const endMs = localToInstant(walls[1] ?? 0, timeZone);
  if (endMs < startMs) {
    const message = 'startTime must not be after endTime';
    return invalid('endTime', ERROR_CODES.invalidRange, message, 'Swap startTime and endTime');
  }
  const pbx = pbxList.some((p) => p.toLowerCase() === 'allpbxes') ? 'allpbxes' : pbxList;
  return { pbx, timeZone, startMs, endMs };
}

/** Parses and checks a report query; the first problem found is returned instead. */
export function parseReportParams(table: Table, q: URLSearchParams): ReportParams | ParamProblem {
  const absent = missingOf(q, ['pbxId', 'startTime', 'endTime', 'timeZone', 'pageSize']);
  if (absent) return absent;
  const interval = parseInterval(q);
  if ('param' in interval) return interval;
  const sizeText = q.get('pageSize') ?? '';
  const pageSize = /^\d{1,9}$/.test(sizeText) ? Number(sizeText) : Number.NaN;
  if (!(pageSize >= 1 && pageSize <= MAX_PAGE_SIZE)) {
    const message = `Invalid pageSize: '${sizeText}'. It must be an integer between 1 and ${MAX_PAGE_SIZE}`;
    return invalid('pageSize', ERROR_CODES.invalidPageSize, message, `Use 1..${MAX_PAGE_SIZE}`);
  }
  const flags: Record<string, boolean> = {};
  for (const name of ['isConnectTime', 'isSimplified']) {
    const text = q.get(name);
    if (text === null) continue;
    if (table === 'call-records') {
      const message = `${name} is only valid for call legs (/v2/call-legs)`;
      return invalid(name, ERROR_CODES.callLegsOnly, message, `Remove ${name} from call-records requests`);
    }
    if (!/^(true|false)$/i.test(text)) {
      return invalid(name, ERROR_CODES.invalidBoolean, `Invalid ${name}: '${text}'`, 'Use true or false');
    }
    flags[name] = text.toLowerCase() === 'true';
  }
  const filters: Record<string, string[] | undefined> = {};
  for (const name of ['caller', 'callee', 'callerOrCallee']) {
    const text = q.get(name);
    if (text === null) continue;
    const values = list(text);
    if (values.length > MAX_FILTER_VALUES) {
      const message = `${name} allows at most ${MAX_FILTER_VALUES} values, got ${values.length}`;
      return invalid(name, ERROR_CODES.invalidFilter, message, 'Split the request');
    }
    filters[name] = values;
  }
  if (filters.callerOrCallee && (filters.caller || filters.callee)) {
    const message = 'callerOrCallee is not allowed together with caller or callee';
    return invalid(
      'callerOrCallee',
      ERROR_CODES.invalidFilter,
      message,
      'Use either callerOrCallee or caller/callee',
    );
  }
  return {
    table,
    ...interval,
    pageSize,
    scrollId: q.get('scrollId') || undefined,
    isConnectTime: flags.isConnectTime ?? false,
    isSimplified: flags.isSimplified ?? false,
    caller: filters.caller,
    callee: filters.callee,
    callerOrCallee: filters.callerOrCallee,
  };
}
