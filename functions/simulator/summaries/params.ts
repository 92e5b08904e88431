import { ERROR_CODES, type ParamProblem } from '../errors.js';
import { type IntervalParams, invalid, missingOf, parseInterval } from '../params.js';

/** The four summary reports, by the last part of their path. */
export type SummaryKind = 'compsum' | 'extsum' | 'rgsum-groups' | 'rgsum-members';

/** A summary request's query, checked. */
export interface SummaryParams extends IntervalParams {
  /** rgsum-groups: seconds of the local day, both ends included. */
  intraDay: { fromS: number; toS: number } | undefined;
  /** rgsum-members: the one ring group asked for. */
  extId: string | undefined;
}

const CLOCK = /^(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Seconds of the day of `HH:MM` or `HH:MM:SS`, or undefined when it is no time of day. */
function secondOfDay(text: string): number | undefined {
  const m = CLOCK.exec(text);
  if (!m) return undefined;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  return h <= 23 && mi <= 59 && s <= 59 ? h * 3600 + mi * 60 + s : undefined;
}

function parseIntraDay(q: URLSearchParams): SummaryParams['intraDay'] | ParamProblem {
  const from = q.get('intraStartTime');
  const to = q.get('intraEndTime');
  if (from === null && to === null) return undefined;
  const bounds: number[] = [];
  for (const [name, text, fallback] of [
    ['intraStartTime', from, 0],
    ['intraEndTime', to, 86_399],
  ] as const) {
    const s = text === null ? fallback : secondOfDay(text);
    if (s === undefined) {
      const message = `Invalid ${name}: '${text}'. The format is HH:MM or HH:MM:SS, 00:00:00 to 23:59:59`;
      return invalid(
        name,
        ERROR_CODES.invalidTime,
        message,
        'Example: intraStartTime=08:30&intraEndTime=17:00',
      );
    }
    bounds.push(s);
  }
  const [fromS = 0, toS = 0] = bounds;
  if (fromS > toS) {
    const hint = 'Give an intraStartTime no later than intraEndTime';
    return invalid(
      'intraEndTime',
      ERROR_CODES.invalidRange,
      'intraStartTime must not be after intraEndTime',
      hint,
    );
  }
  return { fromS, toS };
}

/** Parses and checks a summary query; the first problem found is returned instead. */
export function parseSummaryParams(
  kind: SummaryKind,
  q: URLSearchParams,
  extIdRequired: boolean,
): SummaryParams | ParamProblem {
  const required = ['pbxId', 'startTime', 'endTime', 'timeZone'];
  if (kind === 'rgsum-members' && extIdRequired) required.push('extId');
  const absent = missingOf(q, required);
  if (absent) return absent;
  const interval = parseInterval(q);
  if ('param' in interval) return interval;
  for (const name of ['isConnectTime', 'isSimplified']) {
    if (q.get(name) === null) continue;
    const message = `${name} is only valid for call legs (/v2/call-legs)`;
    return invalid(name, ERROR_CODES.callLegsOnly, message, `Remove ${name} from summary requests`);
  }
  const intraDay = kind === 'rgsum-groups' ? parseIntraDay(q) : undefined;
  if (intraDay && 'param' in intraDay) return intraDay;
  let extId: string | undefined;
  if (kind === 'rgsum-members') {
    extId = q.get('extId')?.trim() || undefined;
    if (extId?.includes(',')) {
      const message = `Invalid extId: '${extId}'. Only a single ring group extension can be specified`;
      return invalid('extId', ERROR_CODES.invalidExtId, message, 'Ask once per ring group');
    }
    const collapse = q.get('collapse');
    if (collapse !== null && !/^(true|false)$/i.test(collapse))
      return invalid(
        'collapse',
        ERROR_CODES.invalidBoolean,
        `Invalid collapse: '${collapse}'`,
        'Use true or false',
      );
  }
  return { ...interval, intraDay, extId };
}
