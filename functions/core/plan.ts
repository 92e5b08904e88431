import type { Rerun } from './control-message.js';
import { dueWindows } from './due-windows.js';
import { ledgerPrefix } from './lake-keys.js';
import type { LedgerEntry } from './ledger.js';
import { readLedgerEntry } from './ledger-store.js';
import type { FilterField, PageTask, PbxScope } from './page-task.js';
import type { Clock, ObjectStore, TaskQueue } from './ports.js';
import { type ChainStart, startChain } from './process-task.js';
import type { Table } from './tables.js';
import { windowAt, windowDay, windowId, windowsFor } from './windows.js';

const DAY_MS = 86_400_000;

/** How the planner cuts and pulls windows (from the stack's configuration). */
export interface PlanConfig {
  tables: readonly Table[];
  pbx: PbxScope;
  gridMinutes: number;
  pageSize: number;
  settleMinutes: number;
  horizonDays: number;
  staleAfterMinutes: number;
  isConnectTime: boolean;
  isSimplified: boolean;
  /** The most chains one planner run may start: a bound on what a mistake can queue. */
  maxChains: number;
  /** The field each report filters on, where it is not the docs' default (measured by `walake probe`). */
  filterFields?: Partial<Record<Table, FilterField>>;
  /** The reports whose chains end on their last data page (see `endOnLastDataPageAllowed`). */
  endOnLastDataPage?: Partial<Record<Table, boolean>>;
}

/**
 * The end of the last window that has ended at `nowMs`: a range reaching past it is cut there, so a run never
 * publishes a window that is still filling (it would look complete and not be pulled again for hours).
 */
export function lastEndedMs(nowMs: number, gridMinutes: number): number {
  return windowAt(nowMs, gridMinutes).startMs;
}

type PlanPorts = { store: ObjectStore; queue: TaskQueue; clock: Clock };

/** Every ledger entry of a table for the UTC days that `[fromMs, toMs)` touches. */
export async function readLedger(
  store: ObjectStore,
  table: Table,
  fromMs: number,
  toMs: number,
): Promise<LedgerEntry[]> {
  const days = new Set(windowsFor(fromMs, toMs, 1440).map(windowDay));
  const keys = (await Promise.all([...days].map((day) => store.list(ledgerPrefix(table, day))))).flat();
  const entries: LedgerEntry[] = [];
  for (let i = 0; i < keys.length; i += 16) {
    const batch = await Promise.all(keys.slice(i, i + 16).map((key) => readLedgerEntry(store, key)));
    for (const entry of batch) if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * A scheduled run: for each table, the windows of the horizon that have ended and are unpublished, unsettled or
 * stale (see `dueWindows`), each started as a new chain, oldest first, at most `maxChains` in all.
 */
export async function planScheduled(ports: PlanPorts, config: PlanConfig): Promise<PageTask[]> {
  const nowMs = ports.clock.now();
  const started: PageTask[] = [];
  for (const table of config.tables) {
    const ledger = await readLedger(ports.store, table, nowMs - (config.horizonDays + 1) * DAY_MS, nowMs);
    const due = dueWindows({
      table,
      nowMs,
      horizonDays: config.horizonDays,
      gridMinutes: config.gridMinutes,
      settleMinutes: config.settleMinutes,
      staleAfterMs: config.staleAfterMinutes * 60_000,
      ledger,
    });
    const room = config.maxChains - started.length;
    // The ledger was just read: each due window already knows its next attempt.
    const starts = due
      .slice(0, room)
      .map(({ id, attempt }) => ({ ...chainStart(config, table, id, config.pbx), attempt }));
    started.push(...(await startChains(starts, ports)));
    if (started.length >= config.maxChains) break;
  }
  return started;
}

/**
 * A rerun: every grid window of the range that has ended, for each table asked, as a new chain that
 * supersedes any running one.
 */
export async function planRerun(ports: PlanPorts, config: PlanConfig, rerun: Rerun): Promise<PageTask[]> {
  return startChains(rerunStarts(ports.clock.now(), config, rerun), ports);
}

/**
 * The chains a rerun starts, in a fixed order (tables, then windows): every grid window of the range that has
 * ended. On the backfill lane: operator work, however long, never delays the scheduled windows.
 * @throws RangeError when they are more than `maxChains`.
 */
export function rerunStarts(nowMs: number, config: PlanConfig, rerun: Rerun): ChainStart[] {
  const toMs = Math.min(rerun.toMs, lastEndedMs(nowMs, config.gridMinutes));
  const windows = toMs > rerun.fromMs ? windowsFor(rerun.fromMs, toMs, config.gridMinutes) : [];
  const count = windows.length * rerun.tables.length;
  if (count > config.maxChains) {
    throw new RangeError(
      `the rerun needs ${count} chains, over the limit of ${config.maxChains}: split the range`,
    );
  }
  return rerun.tables.flatMap((table) =>
    windows.map((window) => ({
      ...chainStart(config, table, windowId(window), rerun.pbx ?? config.pbx),
      lane: 'backfill' as const,
    })),
  );
}

/**
 * Starts chains a few at a time: each is three round trips (ledger read, ledger write, first task), so a rerun
 * of a month of hourly windows would not fit a planner invocation one by one. Chains are independent.
 */
export async function startChains(
  starts: (ChainStart & { attempt?: number })[],
  ports: PlanPorts,
): Promise<PageTask[]> {
  const started: PageTask[] = [];
  for (let i = 0; i < starts.length; i += 16) {
    const batch = starts.slice(i, i + 16);
    const tasks = await Promise.all(
      batch.map(({ attempt, ...start }) => startChain(start, ports, { expectAttempt: attempt })),
    );
    // A window another planner or a rerun moved on since the ledger was read is theirs now.
    for (const task of tasks) if (task) started.push(task);
  }
  return started;
}

function chainStart(config: PlanConfig, table: Table, window: string, pbx: PbxScope) {
  const legs = table === 'call-legs';
  const filterField = config.filterFields?.[table];
  return {
    table,
    window,
    pbx,
    pageSize: config.pageSize,
    isConnectTime: legs && config.isConnectTime,
    isSimplified: legs && config.isSimplified,
    ...(filterField ? { filterField } : {}),
    ...(config.endOnLastDataPage?.[table] ? { endOnLastDataPage: true } : {}),
  };
}
