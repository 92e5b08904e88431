import type { RawReport } from '../adapters/wa-raw.js';
import { endsChain } from '../core/api-page.js';
import type { Table } from '../core/tables.js';
import { HOUR_MS, type ProbeDeps, probeQuery, steadyRequest } from './probe-checks.js';

/**
 * Which time each report filters on, and whether `startTime` and `endTime` are inclusive: measured on a recent
 * busy quarter of an hour, a handful of requests in all (19 at most).
 */

export type FilterField = 'disconnectedTimeUTC' | 'startTimeUTC' | 'connectTimeUTC';

/** The fields told apart per table, the pipeline's default first. */
const CANDIDATES: Record<Table, FilterField[]> = {
  'call-records': ['disconnectedTimeUTC', 'startTimeUTC'],
  'call-legs': ['disconnectedTimeUTC', 'connectTimeUTC'],
};
export const DEFAULT_FILTER_FIELD: FilterField = 'disconnectedTimeUTC';

/** Where another developer's configuration takes the filter field (printed, not read). */
export const FILTER_SETTINGS: Record<Table, { context: string; env: string; flag: string }> = {
  'call-records': {
    context: 'recordsFilterField',
    env: 'RECORDS_FILTER_FIELD',
    flag: '--records-filter-field',
  },
  'call-legs': { context: 'legsFilterField', env: 'LEGS_FILTER_FIELD', flag: '--legs-filter-field' },
};

const SPAN_MS = 15 * 60_000;
const MIN_ROWS = 10;
/** Ends of the candidate ranges: 10 minutes ago (rows may still be arriving), then every 3 hours for a day. */
const TRIES = 8;
const EDGE_MS = 60_000;

export interface EdgeFinding {
  /** null: inconclusive. */
  inclusive: boolean | null;
  note: string;
}

export interface FilterFinding {
  table: Table;
  /** The range whose rows were compared, ISO instants; endTime is asked as given (whole seconds). */
  range: { from: string; to: string } | null;
  rows: number;
  /** Per candidate field, the rows whose value lies outside the range (or is missing). */
  outside: Partial<Record<FilterField, number>>;
  /** null: inconclusive. */
  field: FilterField | null;
  note: string;
  startTime: EdgeFinding;
  endTime: EdgeFinding;
  /** The settings to change, or null when the default holds or nothing was measured. */
  configure: string | null;
}

type Sample = { rows: Record<string, unknown>[]; fromMs: number; toMs: number };

const timeOf = (row: Record<string, unknown>, field: FilterField): number | undefined => {
  const v = row[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** Whether an answer holds the whole result (no page after it). */
const complete = (a: RawReport, pageSize: number) =>
  a.page !== undefined && (endsChain(a.page) || a.page.data.length < pageSize);

/** The rows of [fromMs, toMs], halving the span (at most 3 times) until one page holds them all. */
async function sample(
  deps: ProbeDeps,
  table: Table,
  toMs: number,
  pageSize: number,
): Promise<Sample | string> {
  let span = SPAN_MS;
  for (let halvings = 0; ; halvings++) {
    const query = probeQuery(table, toMs - span, toMs, pageSize);
    const answer = await steadyRequest(deps, query);
    if (!answer.page) return `${table} answered ${answer.status}: ${deps.redact(answer.text).slice(0, 200)}`;
    if (complete(answer, pageSize))
      return { rows: [...answer.page.data], fromMs: query.startMs, toMs: query.endMs };
    if (halvings === 3) return `more than ${pageSize} ${table} rows in ${span / 60_000} minutes`;
    span /= 2;
  }
}

/** Runs the measurement for both tables: the busy range is found with call records and reused for legs. */
export async function probeEdges(deps: ProbeDeps, pageSize: number): Promise<FilterFinding[]> {
  const now = Math.floor(deps.now() / 1000) * 1000;
  let records: Sample | string = 'no call records in the last day';
  for (let i = 0; i < TRIES; i++) {
    const found = await sample(deps, 'call-records', now - 10 * 60_000 - i * 3 * HOUR_MS, pageSize);
    if (typeof found === 'string') {
      if (typeof records === 'string') records = found;
      if (found.startsWith('more than')) continue;
      break;
    }
    if (typeof records === 'string' || found.rows.length > records.rows.length) records = found;
    if (found.rows.length >= MIN_ROWS) break;
  }
  if (typeof records !== 'string' && records.rows.length === 0) {
    records = `no call records in ${TRIES} quarter hours over the last day`;
  }
  const legs =
    typeof records === 'string' ? records : await sample(deps, 'call-legs', records.toMs, pageSize);
  return [
    await judge(deps, 'call-records', records, pageSize),
    await judge(deps, 'call-legs', legs, pageSize),
  ];
}

async function judge(
  deps: ProbeDeps,
  table: Table,
  s: Sample | string,
  pageSize: number,
): Promise<FilterFinding> {
  const unmeasured: EdgeFinding = { inclusive: null, note: 'not measured: the filter field is unknown' };
  const finding: FilterFinding = {
    table,
    range: null,
    rows: 0,
    outside: {},
    field: null,
    note: '',
    startTime: unmeasured,
    endTime: unmeasured,
    configure: null,
  };
  if (typeof s === 'string') return { ...finding, note: `inconclusive: ${s}` };
  finding.range = { from: new Date(s.fromMs).toISOString(), to: new Date(s.toMs).toISOString() };
  finding.rows = s.rows.length;
  // The API compares whole seconds: with an inclusive end, rows of the end second come back too.
  const inside = (t: number | undefined) => t !== undefined && t >= s.fromMs && t < s.toMs + 1000;
  for (const field of CANDIDATES[table]) {
    finding.outside[field] = s.rows.filter((r) => !inside(timeOf(r, field))).length;
  }
  const fits = CANDIDATES[table].filter((f) => finding.outside[f] === 0);
  const counts = CANDIDATES[table].map((f) => `${finding.outside[f]} with ${f} outside`).join(', ');
  if (s.rows.length === 0 || fits.length !== 1) {
    const why =
      s.rows.length === 0
        ? 'no rows in the range'
        : fits.length === 0
          ? `no candidate field holds every row (${counts})`
          : `every row fits ${fits.join(' and ')} (no call straddles an edge of the range)`;
    return { ...finding, note: `inconclusive: ${why}` };
  }
  const field = fits[0] as FilterField;
  finding.field = field;
  finding.note = `${s.rows.length} rows: ${counts}`;
  const set = FILTER_SETTINGS[table];
  if (field !== DEFAULT_FILTER_FIELD) {
    finding.configure = `CDK context ${set.context}=${field}, Lambda env ${set.env}=${field}, walake run ${set.flag} ${field}`;
  }
  const ordered = s.rows.map((row) => ({ row, t: timeOf(row, field) as number })).sort((a, b) => a.t - b.t);
  const anchor = ordered[Math.floor(ordered.length / 2)];
  if (!anchor) return finding;
  const second = Math.floor(anchor.t / 1000) * 1000;
  const text = JSON.stringify(anchor.row);
  const edge = async (fromMs: number, toMs: number, name: 'startTime' | 'endTime'): Promise<EdgeFinding> => {
    const answer = await steadyRequest(deps, probeQuery(table, fromMs, toMs, pageSize));
    const at = `a row with ${field} ${new Date(anchor.t).toISOString()}, ${name} ${new Date(second).toISOString().slice(0, 19)}Z`;
    if (!answer.page) return { inclusive: null, note: `inconclusive: answered ${answer.status}` };
    if (answer.page.data.some((r) => JSON.stringify(r) === text))
      return { inclusive: true, note: `returned ${at}` };
    if (!complete(answer, pageSize))
      return { inclusive: null, note: 'inconclusive: the answer had more pages' };
    return { inclusive: false, note: `left out ${at}` };
  };
  finding.startTime = await edge(second, second + EDGE_MS, 'startTime');
  finding.endTime = await edge(second - EDGE_MS, second, 'endTime');
  return finding;
}
