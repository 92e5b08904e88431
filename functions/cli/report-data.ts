import type { LakeDb } from '../adapters/duckdb-lake.js';
import type { LedgerEntry } from '../core/ledger.js';
import type { Table } from '../core/tables.js';
import { windowDay, windowId, windowsFor } from '../core/windows.js';

/** The state of one grid window in the ledger, as the report colours it. */
export type WindowState = 'settled' | 'published' | 'mismatch' | 'failed' | 'running' | 'missing' | 'pending';

export interface DayCalls {
  day: string;
  calls: number;
  answered: number;
  missed: number;
  abandoned: number;
}

export interface HourCalls extends DayCalls {
  /** UTC hour 0..23 of the day. */
  hour: number;
}

export interface UnreturnedCall {
  pbx_id: string;
  missed_at: string;
  caller: string;
  caller_name: string | null;
  callee: string;
  outcome: string;
  hours_to_callback: number | null;
}

/** What the report draws: every number comes from the analytics views or the ledger. */
export interface ReportData {
  lake: string;
  from: string;
  to: string;
  generatedAt: string;
  gridMinutes: number;
  /** Calls per UTC day and hour of their start, every PBX together (the heatmap). */
  hours: HourCalls[];
  days: DayCalls[];
  busiest: HourCalls[];
  unreturned: { total: number; shown: UnreturnedCall[]; callbackHours: number };
  health: { table: Table; days: { day: string; windows: WindowState[] }[] }[];
}

export interface ReportRange {
  fromMs: number;
  toMs: number;
  nowMs: number;
  gridMinutes: number;
  tables: readonly Table[];
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
  const inRange = `hour_utc >= ${sqlTs(range.fromMs)} AND hour_utc < ${sqlTs(range.toMs)}`;
  const counts = `sum(calls) AS calls, sum(answered) AS answered, sum(missed) AS missed, sum(abandoned) AS abandoned`;
  const hours = (
    await lake.query(
      `SELECT strftime(hour_utc, '%Y-%m-%d') AS day, hour(hour_utc) AS hour, ${counts}
       FROM calls_hourly WHERE ${inRange} GROUP BY 1, 2 ORDER BY 1, 2`,
    )
  ).map(hourCalls);
  const days = new Map<string, DayCalls>();
  for (const h of hours) {
    const d = days.get(h.day) ?? { day: h.day, calls: 0, answered: 0, missed: 0, abandoned: 0 };
    for (const key of ['calls', 'answered', 'missed', 'abandoned'] as const) d[key] += h[key];
    days.set(h.day, d);
  }
  const busiest = [...hours].sort((a, b) => b.calls - a.calls || a.day.localeCompare(b.day)).slice(0, 10);
  const missedRange = `missed_at >= ${sqlTs(range.fromMs)} AND missed_at < ${sqlTs(range.toMs)} AND NOT called_back`;
  const [total] = await lake.query(
    `SELECT count(*) AS n, max(callback_window_hours) AS hours FROM missed_calls WHERE ${missedRange}`,
  );
  const shown = await lake.query(
    `SELECT pbx_id, strftime(missed_at, '%Y-%m-%d %H:%M') AS missed_at, caller, caller_name, callee, outcome,
            round(hours_to_callback, 1) AS hours_to_callback
     FROM missed_calls WHERE ${missedRange} ORDER BY missed_at DESC, call_id LIMIT 12`,
  );
  return {
    lake: name,
    from: iso(range.fromMs),
    to: iso(range.toMs),
    generatedAt: iso(range.nowMs),
    gridMinutes: range.gridMinutes,
    hours,
    days: [...days.values()],
    busiest,
    unreturned: {
      total: num(total?.n),
      shown: shown as unknown as UnreturnedCall[],
      callbackHours: num(total?.hours) || 24,
    },
    health: range.tables.map((table) => ({ table, days: healthGrid(ledger, table, range) })),
  };
}

function hourCalls(row: Record<string, unknown>): HourCalls {
  return {
    day: String(row.day),
    hour: num(row.hour),
    calls: num(row.calls),
    answered: num(row.answered),
    missed: num(row.missed),
    abandoned: num(row.abandoned),
  };
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
