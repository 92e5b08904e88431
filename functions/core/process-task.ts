import { gzipSync } from 'node:zlib';
import { chainStep } from './chain-step.js';
import { messageOf, WalakeError } from './errors.js';
import { ledgerKey, quarantineKey, stagingKey, stagingPrefix } from './lake-keys.js';
import { encodeLines } from './lake-lines.js';
import {
  earlyEndedTotalOf,
  failedEntry,
  type LedgerEntry,
  lastProgressMs,
  previousPublishOf,
  type Reconciliation,
  runningEntry,
} from './ledger.js';
import { updateEntry } from './ledger-store.js';
import { type PageMarker, readMarker, writeMarker } from './page-marker.js';
import { pageQueryOf } from './page-query.js';
import { dedupId, firstPageTask, newChainId, type PageTask, taskWindow } from './page-task.js';
import type { Clock, LeaseHolders, ObjectStore, PageSource, TaskQueue } from './ports.js';
import { publishWindow } from './publish.js';

/** The ports a worker runs on: the same core in a Lambda (S3, SQS, 8x8) and in a local run (folder, memory). */
export interface WorkerPorts {
  source: PageSource;
  store: ObjectStore;
  queue: TaskQueue;
  clock: Clock;
  /** Names the worker in the publishing leases it takes (local runs), so a dead one's lease can be broken. */
  leases?: LeaseHolders;
}

/** Restarts of a window on refused cursors before it is marked failed (default). */
export const DEFAULT_MAX_RESTARTS = 3;
/** A running chain records progress in the ledger at most this often (one write per page would be waste). */
export const HEARTBEAT_MS = 60_000;

export interface WorkerOptions {
  settleMinutes: number;
  removeStaging: boolean;
  /** Absolute epoch ms by which the page fetch must give up (a Lambda's remaining time, less a margin). */
  deadlineMs?: number;
  /** Restarts of a window (refused cursors) before it is `failed`; default {@link DEFAULT_MAX_RESTARTS}. */
  maxRestarts?: number;
}

interface PageCounts {
  rows: number;
  dropped: number;
  quarantined: number;
  mismatched: number;
  driftFields: readonly string[];
  replayed: boolean;
}

/** What one task did, for metrics, logs and progress. */
export type TaskOutcome =
  | ({ kind: 'next' } & PageCounts)
  | ({
      kind: 'published';
      entry: LedgerEntry;
      /** A re-pull that ended worse than the published window, which was kept: its reconciliation. */
      kept?: Reconciliation;
      /** A redelivered last page found its window published by its own chain: nothing was written again. */
      alreadyPublished?: true;
    } & PageCounts)
  | { kind: 'superseded'; by: string }
  | { kind: 'restarted'; attempt: number; reason: string }
  | { kind: 'failed'; reason: string; entry: LedgerEntry };

/**
 * Processes one page task: fetch the page, stage the window's rows at the page's deterministic key, then queue
 * the next task or publish the window. Every step is idempotent, so a redelivered task is harmless. A chain
 * that the ledger no longer names as current (a newer attempt, a rerun) stops at once and writes nothing.
 * When the API refuses the chain's cursor, the window starts over as a new chain, at most `maxRestarts` times.
 */
export async function processTask(
  task: PageTask,
  ports: WorkerPorts,
  options: WorkerOptions,
): Promise<TaskOutcome> {
  const { source, store, clock } = ports;
  const current = await currentEntry(task, ports);
  if (current.chain !== task.chain) {
    // A restart this very task made, whose first task was never queued (a crash between the two): send it.
    if (current.status === 'running' && current.origin === dedupId(task)) {
      await ports.queue.send(firstTaskOf(current, task));
      return { kind: 'restarted', attempt: current.attempt, reason: 'restart resumed after a crash' };
    }
    return { kind: 'superseded', by: current.chain ?? `attempt ${current.attempt}` };
  }
  // The chain is current: a failed window's task redriven from the DLQ resumes it; any other shows progress.
  if (current.status !== 'published' && !(await recordProgress(task, current, ports))) {
    return { kind: 'superseded', by: 'a newer chain' };
  }
  const marker = await readMarker(store, task);
  if (marker) return act(task, marker, [], true, ports, options);
  let page: Awaited<ReturnType<PageSource['fetchPage']>>;
  try {
    page = await source.fetchPage(pageQueryOf(task), { deadlineMs: options.deadlineMs });
  } catch (error) {
    if (!isCursorRejected(error)) throw error;
    return restartWindow(task, messageOf(error), ports, options);
  }
  const step = chainStep(task, page, { ingestedAtMs: clock.now() });
  const window = taskWindow(task);
  // Every page with data is staged, even when all its rows fell outside the window: publish reads them all.
  if (page.data.length > 0) {
    await store.put(stagingKey(task.table, window, task.chain, task.page), encodeLines(step.rows));
  }
  if (step.quarantine.length > 0) {
    const lines = step.quarantine.map((row) => `${JSON.stringify(row)}\n`).join('');
    await store.put(quarantineKey(task.table, window, task.chain, task.page), gzipSync(lines));
  }
  const counts = { rows: step.rows.length, dropped: step.dropped };
  const decided: PageMarker = step.next ? { ...counts, next: step.next } : { ...counts, done: step.done };
  await writeMarker(store, task, decided);
  const seen = { quarantined: step.quarantine.length, mismatched: step.typeMismatchRows };
  return act(task, decided, step.driftFields, false, ports, options, seen);
}

/** Carries out a task's decision: queue the next page, or publish the window. */
async function act(
  task: PageTask,
  decided: PageMarker,
  driftFields: readonly string[],
  replayed: boolean,
  ports: WorkerPorts,
  options: WorkerOptions,
  seen = { quarantined: 0, mismatched: 0 },
): Promise<TaskOutcome> {
  const counts = { rows: decided.rows, dropped: decided.dropped, ...seen, driftFields, replayed };
  if ('next' in decided) {
    // A replayed decision whose next page already ran (its marker exists) was sent and acted on: the FIFO
    // queue's 5-minute deduplication may have passed, so sending it again would run that page twice.
    if (!replayed || !(await readMarker(ports.store, decided.next))) await ports.queue.send(decided.next);
    return { kind: 'next', ...counts };
  }
  const budget = publishBudgetMs(decided.done.rows);
  if (options.deadlineMs !== undefined && options.deadlineMs - ports.clock.now() < budget) {
    throw new PublishDeferredError(
      `${task.table} ${task.window}: publishing ${decided.done.rows} rows needs about ${Math.ceil(budget / 1000)} s, ` +
        'more than this invocation has left; the task comes back and publishes from its recorded decision',
    );
  }
  const published = await publishWindow(task, decided.done, ports, options);
  if (published.kind === 'superseded') return published;
  const kept = published.kind === 'kept' ? { kept: published.rejected } : {};
  const again = published.alreadyPublished ? { alreadyPublished: true as const } : {};
  return { kind: 'published', ...counts, entry: published.entry, ...kept, ...again };
}

/**
 * The time to allow for publishing a window of `rows` rows: a fixed part (ledger, manifest, a multipart
 * upload) and a rate a quarter of the measured one (about 70,000 rows/s streamed and gzipped; see
 * BENCHMARKS.md), for S3's latency and a smaller Lambda.
 */
export function publishBudgetMs(rows: number): number {
  return 5_000 + Math.ceil(rows / 20);
}

/** Not enough time left in this invocation to publish: retried, and the redelivery publishes. */
export class PublishDeferredError extends WalakeError {
  override readonly name = 'PublishDeferredError';
  override readonly retryable = true;
}

/**
 * Records that the current chain is alive: a heartbeat at most every {@link HEARTBEAT_MS}, and a failed
 * window's redriven task turns it back to running. False when another chain took the window meanwhile.
 */
async function recordProgress(
  task: PageTask,
  current: LedgerEntry,
  ports: Pick<WorkerPorts, 'store' | 'clock'>,
): Promise<boolean> {
  const now = ports.clock.now();
  if (current.status === 'running' && now - lastProgressMs(current) < HEARTBEAT_MS) return true;
  const key = ledgerKey(task.table, taskWindow(task));
  const written = await updateEntry(ports.store, key, (entry) => {
    if (!entry || entry.chain !== task.chain || entry.status === 'published') return undefined;
    const heartbeatAt = new Date(now).toISOString();
    if (entry.status === 'running') return { ...entry, heartbeatAt };
    const { failedAt: _at, reason: _why, ...rest } = entry;
    return { ...rest, status: 'running', heartbeatAt };
  });
  return written !== undefined;
}

/**
 * Marks a window `failed` with the reason, if the task's chain is still its current one: a permanent error,
 * or the last delivery the queue allows. The planner pulls it again after a backoff; `walake status` lists it.
 */
export async function failWindow(
  task: PageTask,
  reason: string,
  ports: Pick<WorkerPorts, 'store' | 'clock'>,
): Promise<LedgerEntry | undefined> {
  const key = ledgerKey(task.table, taskWindow(task));
  const now = ports.clock.now();
  return updateEntry(ports.store, key, (entry) =>
    entry?.chain === task.chain && entry.status === 'running' ? failedEntry(entry, reason, now) : undefined,
  );
}

/**
 * The ledger entry of the task's window. A window without one (its entry was lost, or the task was queued by
 * hand) is adopted by the task's chain: nobody else claims it.
 */
async function currentEntry(
  task: PageTask,
  ports: Pick<WorkerPorts, 'store' | 'clock'>,
): Promise<LedgerEntry> {
  const key = ledgerKey(task.table, taskWindow(task));
  const now = ports.clock.now();
  let found: LedgerEntry | undefined;
  // One read when the entry exists (the change declines); a compare-and-set create when it does not.
  const adopted = await updateEntry(ports.store, key, (entry) => {
    found = entry;
    return entry ? undefined : running(task, { attempt: task.attempt, chain: task.chain }, now);
  });
  return adopted ?? (found as LedgerEntry);
}

/**
 * The running entry of a window's new chain. A publishing lease of the entry it replaces is kept: that older
 * chain may still be writing the window's object, and the new one must wait for it.
 */
function running(
  task: Pick<PageTask, 'table' | 'window' | 'pbx'>,
  chain: { attempt: number; chain: string; restarts?: number; origin?: string },
  nowMs: number,
  previous?: LedgerEntry,
): LedgerEntry {
  const { table, pbx } = task;
  const window = taskWindow(task);
  const carried = {
    publishing: previous?.publishing,
    failures: previous?.failures ?? 0,
    previous: previousPublishOf(previous),
    earlyEndedTotal: earlyEndedTotalOf(previous),
  };
  return runningEntry({ table, window, pbx, ...chain, ...carried }, nowMs);
}

/** The first task of the chain a ledger entry names, with the settings of a task of the same window. */
function firstTaskOf(entry: LedgerEntry, like: PageTask): PageTask {
  const { table, window, pageSize, isConnectTime, isSimplified, filterField, lane, endOnLastDataPage } = like;
  return firstPageTask({
    table,
    window,
    pbx: entry.pbx,
    attempt: entry.attempt,
    chain: entry.chain ?? newChainId(),
    pageSize,
    isConnectTime,
    isSimplified,
    lane,
    ...(endOnLastDataPage ? { endOnLastDataPage } : {}),
    ...(filterField ? { filterField } : {}),
  });
}

/** What a chain needs to start: its window and request settings. */
export type ChainStart = Pick<
  PageTask,
  'table' | 'window' | 'pbx' | 'pageSize' | 'isConnectTime' | 'isSimplified'
> &
  Partial<Pick<PageTask, 'filterField' | 'lane' | 'endOnLastDataPage'>>;

/**
 * Starts a chain for a window: records it in the ledger as the current chain (compare-and-set), then queues
 * its first page. `expectAttempt`: start only if the window is still at that attempt when written (a planner
 * that read the ledger earlier); otherwise the next attempt after the ledger's, whatever it is (a rerun).
 * Resolves to the first task, or undefined when another writer moved the window on first.
 */
export async function startChain(
  start: ChainStart,
  ports: Pick<WorkerPorts, 'store' | 'queue' | 'clock'>,
  numbering: { expectAttempt?: number } = {},
): Promise<PageTask | undefined> {
  const key = ledgerKey(start.table, taskWindow(start));
  const chain = newChainId();
  const now = ports.clock.now();
  const entry = await updateEntry(ports.store, key, (current) => {
    const attempt = (current?.attempt ?? 0) + 1;
    if (numbering.expectAttempt !== undefined && attempt !== numbering.expectAttempt) return undefined;
    return running(start, { attempt, chain }, now, current);
  });
  if (!entry) return undefined;
  const task = firstPageTask({ ...start, attempt: entry.attempt, chain });
  await ports.queue.send(task);
  return task;
}

/**
 * A refused cursor: the window starts over as a new chain, unless it has restarted `maxRestarts` times
 * already, then it is `failed` with the reason. The restart is recorded first (naming the task that made it,
 * so that a redelivery after a crash sends the new chain's first task instead of restarting again).
 */
async function restartWindow(
  task: PageTask,
  reason: string,
  ports: WorkerPorts,
  options: WorkerOptions,
): Promise<TaskOutcome> {
  const key = ledgerKey(task.table, taskWindow(task));
  const max = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  const now = ports.clock.now();
  const chain = newChainId();
  const entry = await updateEntry(ports.store, key, (current) => {
    if (!current || current.chain !== task.chain || current.status !== 'running') return undefined;
    if (current.restarts >= max) {
      return failedEntry(
        current,
        `the API refused the cursor of ${max + 1} chains in a row (last: ${reason}); ` +
          'check `walake probe` (how long a scrollId lives), then rerun the window',
        now,
      );
    }
    const next = {
      attempt: current.attempt + 1,
      chain,
      restarts: current.restarts + 1,
      origin: dedupId(task),
    };
    return running(task, next, now, current);
  });
  if (options.removeStaging)
    await ports.store.delete(stagingPrefix(task.table, taskWindow(task), task.chain));
  if (!entry) return { kind: 'superseded', by: 'a newer chain' };
  if (entry.status === 'failed') return { kind: 'failed', reason: entry.reason, entry };
  await ports.queue.send(firstTaskOf(entry, task));
  return { kind: 'restarted', attempt: entry.attempt, reason };
}

/** Adapters mark a refused cursor with `cursorRejected` (see ports.ts), so core needs no adapter import. */
function isCursorRejected(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { cursorRejected?: unknown }).cursorRejected === true
  );
}
