import { type LedgerEntry, lastProgressMs } from '../core/ledger.js';
import type { Table } from '../core/tables.js';
import { type Window, windowDay, windowId, windowsFor } from '../core/windows.js';
import { DEFAULT_MAX_DAYS } from './control-plan.js';
import { isoOf } from './ops-args.js';

/** One table's windows on one UTC day: what the grid expects and what the ledger says of them. */
export interface DayStatus {
  table: Table;
  day: string;
  /** Windows of the range that have ended. */
  expected: number;
  published: number;
  /** Published from a pull that started after the window's settle time. */
  settled: number;
  running: number;
  /** Windows given up on (see `failed` for the reasons): a gap until rerun. */
  failed: number;
  /** Expected windows with no ledger entry: never started. */
  missing: number;
  rows: number;
  mismatches: number;
}

/** A run of consecutive missing windows: what one `walake rerun` would fill. */
export interface Gap {
  table: Table;
  from: string;
  to: string;
  windows: number;
}

/** The state of the lake over a range, from its ledger. */
export interface LedgerStatus {
  from: string;
  to: string;
  gridMinutes: number;
  generatedAt: string;
  days: DayStatus[];
  totals: Omit<DayStatus, 'table' | 'day'>;
  /** Per table, the newest `finishedAt` of a published window in the range; null when none. */
  lastPublished: Partial<Record<Table, string | null>>;
  gaps: Gap[];
  mismatched: { table: Table; window: string; explanation: string }[];
  /** Failed windows, with the reason and the command that pulls each again. */
  failed: { table: Table; window: string; reason: string; rerun: string }[];
  /**
   * Runs of `running` windows that nothing will finish: no progress for `staleAfterMinutes`, and older than the
   * planner's `horizonDays`, so no tick pulls them again (a chain whose task expired in its queue, or whose
   * worker died). Each with the command that pulls the run again.
   */
  stranded: Stranded[];
  /** Ledger entries in the range on another grid (e.g. 15-minute windows): a sign of a wrong --grid-minutes. */
  otherGrid: number;
}

/** A run of consecutive stranded windows of one table and PBX scope, and what fills it. */
export interface Stranded {
  table: Table;
  from: string;
  to: string;
  windows: number;
  /** The oldest last sign of progress among them. */
  lastProgress: string;
  rerun: string;
}

export interface StatusOptions {
  tables: readonly Table[];
  fromMs: number;
  toMs: number;
  gridMinutes: number;
  nowMs: number;
  /** The stack's `staleAfterMinutes` (default 120): a running chain without progress this long is dead. */
  staleAfterMinutes?: number;
  /** The stack's `horizonDays` (default 2): older windows are never planned again by the schedule. */
  horizonDays?: number;
  /**
   * A local lake (`walake run --out DIR`): no planner picks anything up there, so a stale running window is
   * stranded whatever its age, and what fills a window is `walake run` into that folder, not a rerun message.
   */
  localOut?: string;
}

const DAY_MS = 86_400_000;

/** Compares the ledger with the grid: per day and table, and the gaps a rerun would fill. */
export function ledgerStatus(entries: readonly LedgerEntry[], options: StatusOptions): LedgerStatus {
  const { tables, fromMs, toMs, gridMinutes, nowMs } = options;
  const staleAfterMs = (options.staleAfterMinutes ?? 120) * 60_000;
  const local = options.localOut;
  const horizonStartMs = local === undefined ? nowMs - (options.horizonDays ?? 2) * DAY_MS : nowMs;
  const fill = (table: Table, from: number, to: number, pbx: LedgerEntry['pbx']) =>
    local === undefined ? fillCommand(table, from, to, pbx) : localRunCommand(table, from, to, pbx, local);
  const windows = windowsFor(fromMs, toMs, gridMinutes).filter((w) => w.endMs <= nowMs);
  const inRange = new Set(windows.map(windowId));
  const byKey = new Map<string, LedgerEntry>();
  const [first, last] = [windows[0]?.startMs ?? 0, windows.at(-1)?.endMs ?? 0];
  let otherGrid = 0;
  for (const e of entries) {
    if (!tables.includes(e.table)) continue;
    if (inRange.has(e.window)) byKey.set(`${e.table} ${e.window}`, e);
    else if (e.startMs >= first && e.endMs <= last) otherGrid++;
  }
  const status: LedgerStatus = {
    from: isoOf(fromMs),
    to: isoOf(toMs),
    gridMinutes,
    generatedAt: isoOf(nowMs),
    days: [],
    totals: zeroCounts(),
    lastPublished: {},
    gaps: [],
    mismatched: [],
    failed: [],
    stranded: [],
    otherGrid,
  };
  for (const table of tables) {
    let newest: string | null = null;
    let gap: { start: Window; end: Window; windows: number } | undefined;
    let run:
      | { start: Window; end: Window; windows: number; pbx: LedgerEntry['pbx']; oldest: number }
      | undefined;
    const closeRun = () => {
      if (run) {
        const [from, to] = [isoOf(run.start.startMs), isoOf(run.end.endMs)];
        status.stranded.push({
          table,
          from,
          to,
          windows: run.windows,
          lastProgress: isoOf(run.oldest),
          rerun: fill(table, run.start.startMs, run.end.endMs, run.pbx),
        });
      }
      run = undefined;
    };
    const closeGap = () => {
      if (gap)
        status.gaps.push({
          table,
          from: isoOf(gap.start.startMs),
          to: isoOf(gap.end.endMs),
          windows: gap.windows,
        });
      gap = undefined;
    };
    for (const window of windows) {
      const day = windowDay(window);
      let row = status.days.at(-1);
      if (row?.table !== table || row.day !== day) {
        row = { table, day, ...zeroCounts() };
        status.days.push(row);
      }
      row.expected++;
      const entry = byKey.get(`${table} ${windowId(window)}`);
      const progressMs = entry?.status === 'running' ? lastProgressMs(entry) : undefined;
      if (
        entry &&
        progressMs !== undefined &&
        nowMs - progressMs >= staleAfterMs &&
        window.endMs <= horizonStartMs
      ) {
        const same = run && run.end.endMs === window.startMs && samePbx(run.pbx, entry.pbx);
        if (!same) closeRun();
        run = run
          ? { ...run, end: window, windows: run.windows + 1, oldest: Math.min(run.oldest, progressMs) }
          : { start: window, end: window, windows: 1, pbx: entry.pbx, oldest: progressMs };
      } else closeRun();
      if (!entry) {
        row.missing++;
        gap = gap
          ? { ...gap, end: window, windows: gap.windows + 1 }
          : { start: window, end: window, windows: 1 };
        continue;
      }
      closeGap();
      if (entry.status === 'running') {
        row.running++;
        continue;
      }
      if (entry.status === 'failed') {
        row.failed++;
        status.failed.push({
          table,
          window: entry.window,
          reason: entry.reason,
          rerun:
            local === undefined
              ? rerunCommand(table, isoOf(entry.startMs), isoOf(entry.endMs), entry.pbx)
              : localRunCommand(table, entry.startMs, entry.endMs, entry.pbx, local),
        });
        continue;
      }
      row.published++;
      row.rows += entry.rows;
      if (entry.settled) row.settled++;
      if (entry.reconciliation.verdict === 'mismatch') {
        row.mismatches++;
        status.mismatched.push({
          table,
          window: entry.window,
          explanation: entry.reconciliation.explanation,
        });
      }
      if (newest === null || entry.finishedAt > newest) newest = entry.finishedAt;
    }
    closeGap();
    closeRun();
    status.lastPublished[table] = newest;
  }
  for (const row of status.days) {
    for (const key of Object.keys(status.totals) as (keyof LedgerStatus['totals'])[])
      status.totals[key] += row[key];
  }
  return status;
}

function zeroCounts(): LedgerStatus['totals'] {
  return { expected: 0, published: 0, settled: 0, running: 0, failed: 0, missing: 0, rows: 0, mismatches: 0 };
}

function samePbx(a: LedgerEntry['pbx'], b: LedgerEntry['pbx']): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What pulls `[fromMs, toMs)` again: one `walake rerun` within the planner's default `maxRerunDays`, else a
 * `walake backfill`, which cuts the range into messages within the planner's caps.
 */
export function fillCommand(table: Table, fromMs: number, toMs: number, pbx: LedgerEntry['pbx']): string {
  if (toMs - fromMs <= DEFAULT_MAX_DAYS * DAY_MS) return rerunCommand(table, isoOf(fromMs), isoOf(toMs), pbx);
  const scope = pbx === 'allpbxes' ? '' : ` --pbx ${pbx.join(',')}`;
  return `walake backfill --table ${table} --from ${isoOf(fromMs)} --to ${isoOf(toMs)}${scope}`;
}

/** The `walake run` that pulls `[fromMs, toMs)` of a table into the local lake `out` again. */
export function localRunCommand(
  table: Table,
  fromMs: number,
  toMs: number,
  pbx: LedgerEntry['pbx'],
  out: string,
): string {
  const scope = pbx === 'allpbxes' ? '' : ` --pbx ${pbx.join(',')}`;
  const folder = /^[\w./-]+$/.test(out) ? out : `'${out.replaceAll("'", "'\\''")}'`;
  return `walake run --table ${table} --from ${isoOf(fromMs)} --to ${isoOf(toMs)}${scope} --out ${folder}`;
}

/** The `walake rerun` that pulls `[from, to)` of a table again (of some PBXes only, when given). */
export function rerunCommand(
  table: Table,
  from: string,
  to: string,
  pbx: LedgerEntry['pbx'] = 'allpbxes',
): string {
  const scope = pbx === 'allpbxes' ? '' : ` --pbx ${pbx.join(',')}`;
  return `walake rerun --table ${table} --from ${from} --to ${to}${scope}`;
}
