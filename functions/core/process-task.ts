import { chainStep } from './chain-step.js';
import { ledgerKey, stagingKey, stagingPrefix } from './lake-keys.js';
import { encodeLines } from './lake-lines.js';
import { type LedgerEntry, runningEntry } from './ledger.js';
import { type PageMarker, readMarker, writeMarker } from './page-marker.js';
import { pageQueryOf } from './page-query.js';
import { firstPageTask, type PageTask, taskWindow } from './page-task.js';
import type { Clock, ObjectStore, PageSource, TaskQueue } from './ports.js';
import { publishWindow, readLedgerEntry } from './publish.js';

/** The ports a worker runs on: the same core in a Lambda (S3, SQS, 8x8) and in a local run (folder, memory). */
export interface WorkerPorts {
  source: PageSource;
  store: ObjectStore;
  queue: TaskQueue;
  clock: Clock;
}

export interface WorkerOptions {
  settleMinutes: number;
  removeStaging: boolean;
  /** Absolute epoch ms by which the page fetch must give up (a Lambda's remaining time, less a margin). */
  deadlineMs?: number;
}

/** What one task did, for metrics, logs and progress. */
export type TaskOutcome =
  | { kind: 'next'; rows: number; dropped: number; driftFields: readonly string[]; replayed: boolean }
  | {
      kind: 'published';
      rows: number;
      dropped: number;
      driftFields: readonly string[];
      replayed: boolean;
      entry: LedgerEntry;
    }
  | { kind: 'superseded'; byAttempt: number }
  | { kind: 'restarted'; attempt: number; reason: string };

/**
 * Processes one page task: fetch the page, stage the window's rows at the page's deterministic key, then queue
 * the next task or publish the window. Every step is idempotent, so a redelivered task is harmless. When the
 * API refuses the chain's cursor, the window starts over as a new attempt; the dead attempt is never published.
 */
export async function processTask(
  task: PageTask,
  ports: WorkerPorts,
  options: WorkerOptions,
): Promise<TaskOutcome> {
  const { source, store, clock } = ports;
  const marker = await readMarker(store, task);
  if (marker) return act(task, marker, [], true, ports, options);
  let page: Awaited<ReturnType<PageSource['fetchPage']>>;
  try {
    page = await source.fetchPage(pageQueryOf(task), { deadlineMs: options.deadlineMs });
  } catch (error) {
    if (!isCursorRejected(error)) throw error;
    const attempt = await restartWindow(task, ports);
    if (options.removeStaging) {
      await store.delete(stagingPrefix(task.table, taskWindow(task), task.attempt));
    }
    return { kind: 'restarted', attempt, reason: (error as Error).message };
  }
  const step = chainStep(task, page, { ingestedAtMs: clock.now() });
  const window = taskWindow(task);
  if (page.data.length > 0) {
    await store.put(stagingKey(task.table, window, task.attempt, task.page), encodeLines(step.rows));
  }
  const counts = { rows: step.rows.length, dropped: step.dropped };
  let decided: PageMarker;
  if (step.next) decided = { ...counts, next: step.next };
  else if (step.done) decided = { ...counts, done: step.done };
  else throw new Error('chainStep returned neither a next task nor a finished chain');
  await writeMarker(store, task, decided);
  return act(task, decided, step.driftFields, false, ports, options);
}

/** Carries out a task's decision: queue the next page, or publish the window. */
async function act(
  task: PageTask,
  decided: PageMarker,
  driftFields: readonly string[],
  replayed: boolean,
  ports: WorkerPorts,
  options: WorkerOptions,
): Promise<TaskOutcome> {
  const counts = { rows: decided.rows, dropped: decided.dropped, driftFields, replayed };
  if ('next' in decided) {
    await ports.queue.send(decided.next);
    return { kind: 'next', ...counts };
  }
  const published = await publishWindow(task, decided.done, ports, options);
  if (published.kind === 'superseded') return published;
  return { kind: 'published', ...counts, entry: published.entry };
}

/**
 * Starts a chain for a window, records it as running, and queues its first page. Its attempt is `attempt` when
 * the caller already read the ledger (the planner), else the next after the ledger's and at least `minAttempt`.
 */
export async function startChain(
  start: Pick<PageTask, 'table' | 'window' | 'pbx' | 'pageSize' | 'isConnectTime' | 'isSimplified'>,
  ports: Pick<WorkerPorts, 'store' | 'queue' | 'clock'>,
  numbering: { minAttempt?: number; attempt?: number } = {},
): Promise<PageTask> {
  const window = taskWindow(start);
  const key = ledgerKey(start.table, window);
  const attempt =
    numbering.attempt ??
    Math.max(numbering.minAttempt ?? 1, ((await readLedgerEntry(ports.store, key))?.attempt ?? 0) + 1);
  const task = firstPageTask({ ...start, attempt });
  const entry = runningEntry({ table: task.table, window, pbx: task.pbx, attempt }, ports.clock.now());
  await ports.store.put(key, `${JSON.stringify(entry, null, 2)}\n`);
  await ports.queue.send(task);
  return task;
}

async function restartWindow(task: PageTask, ports: WorkerPorts): Promise<number> {
  const { table, window, pbx, pageSize, isConnectTime, isSimplified } = task;
  const next = await startChain({ table, window, pbx, pageSize, isConnectTime, isSimplified }, ports, {
    minAttempt: task.attempt + 1,
  });
  return next.attempt;
}

/** Adapters mark a refused cursor with `cursorRejected` (see ports.ts), so core needs no adapter import. */
function isCursorRejected(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { cursorRejected?: unknown }).cursorRejected === true
  );
}
