import { FileObjectStore } from '../adapters/fs-store.js';
import { LocalFifoQueue } from '../adapters/local-fifo-queue.js';
import type { Credentials } from '../adapters/token-provider.js';
import { WorkAnalyticsError } from '../adapters/wa-errors.js';
import { realRetryDeps } from '../adapters/wa-retry.js';
import { createWorkAnalytics } from '../adapters/work-analytics.js';
import type { PageQuery } from '../core/page-query.js';
import { chainIdOf, type PageTask, type PbxScope } from '../core/page-task.js';
import type { Clock, PageSource } from '../core/ports.js';
import { processTask, startChain, type TaskOutcome } from '../core/process-task.js';
import type { Table } from '../core/tables.js';
import { windowId, windowsFor } from '../core/windows.js';

/** A local run: the same core as the Lambdas, on a folder and an in-process FIFO queue. */
export interface LocalRunOptions {
  tables: readonly Table[];
  fromMs: number;
  toMs: number;
  pbx: PbxScope;
  pageSize: number;
  gridMinutes: number;
  concurrency: number;
  isConnectTime: boolean;
  isSimplified: boolean;
  settleMinutes: number;
  out: string;
  connection: { baseUrl: string; credentials: Credentials };
  onProgress?: (progress: RunProgress) => void;
  /** Redeliveries of a failing task before its chain is given up (default 5, as the AWS queue). */
  maxReceives?: number;
  retryDelayMs?: (receive: number) => number;
  /** The run's time: planning, settling, token lifetimes and the API's deadlines (default: the system clock). */
  clock?: Clock;
}

export interface RunProgress {
  windows: number;
  published: number;
  failed: number;
  pages: number;
  rows: number;
  last?: { table: Table; window: string; rows: number; verdict: string };
}

export interface RunSummary extends RunProgress {
  requests: number;
  retries: number;
  logins: number;
  restarts: number;
  mismatches: string[];
  driftFields: string[];
  failures: { chain: string; error: string }[];
  durationMs: number;
}

/** Runs every window of `[fromMs, toMs)` (expanded outward to the grid) for each table, to publication. */
export async function runLocal(options: LocalRunOptions): Promise<RunSummary> {
  const started = performance.now();
  const clock: Clock = options.clock ?? { now: () => Date.now() };
  const summary: RunSummary = {
    windows: 0,
    published: 0,
    failed: 0,
    pages: 0,
    rows: 0,
    requests: 0,
    retries: 0,
    logins: 0,
    restarts: 0,
    mismatches: [],
    driftFields: [],
    failures: [],
    durationMs: 0,
  };
  const { client, tokens } = createWorkAnalytics({
    ...options.connection,
    deps: { ...realRetryDeps, now: () => clock.now() },
    onRetry: () => void summary.retries++,
    onLogin: () => void summary.logins++,
  });
  // Fail fast on bad credentials, before any window is marked running.
  await tokens.token();
  const source: PageSource = {
    fetchPage: (query: PageQuery, opts) => {
      summary.requests++;
      return client.fetchPage(query, opts);
    },
  };
  const store = new FileObjectStore(options.out);
  const queue = new LocalFifoQueue();
  const drift = new Set<string>();
  const windows = windowsFor(options.fromMs, options.toMs, options.gridMinutes);
  for (const table of options.tables) {
    for (const window of windows) {
      const legsOnly = table === 'call-legs';
      await startChain(
        {
          table,
          window: windowId(window),
          pbx: options.pbx,
          pageSize: options.pageSize,
          isConnectTime: legsOnly && options.isConnectTime,
          isSimplified: legsOnly && options.isSimplified,
        },
        { store, queue, clock },
      );
      summary.windows++;
    }
  }
  const report = () => options.onProgress?.(summary);
  const record = (task: PageTask, outcome: TaskOutcome) => {
    if (outcome.kind === 'restarted') summary.restarts++;
    if (outcome.kind !== 'next' && outcome.kind !== 'published') return;
    if (!outcome.replayed) summary.pages++;
    for (const name of outcome.driftFields) drift.add(name);
    if (outcome.kind !== 'published') return;
    summary.published++;
    summary.rows += outcome.entry.status === 'published' ? outcome.entry.rows : 0;
    if (outcome.entry.status === 'published') {
      const { verdict, explanation } = outcome.entry.reconciliation;
      if (verdict === 'mismatch') summary.mismatches.push(`${task.table} ${task.window}: ${explanation}`);
      summary.last = { table: task.table, window: task.window, rows: outcome.entry.rows, verdict };
    }
  };
  const ports = { source, store, queue, clock };
  const workerOptions = { settleMinutes: options.settleMinutes, removeStaging: true };
  const { deadLetters } = await queue.drain(
    async (task) => {
      try {
        record(task, await processTask(task, ports, workerOptions));
      } catch (error) {
        if (isTransient(error)) throw error;
        summary.failures.push({ chain: chainIdOf(task), error: (error as Error).message });
        summary.failed++;
      }
      report();
    },
    {
      concurrency: options.concurrency,
      maxReceives: options.maxReceives ?? 5,
      retryDelayMs: options.retryDelayMs,
    },
  );
  for (const letter of deadLetters) {
    summary.failures.push({ chain: chainIdOf(letter.task), error: (letter.error as Error).message });
    summary.failed++;
  }
  summary.driftFields = [...drift].sort();
  summary.durationMs = Math.round(performance.now() - started);
  report();
  return summary;
}

/** Errors worth a redelivery: the API's transient failures and anything not known to be final. */
function isTransient(error: unknown): boolean {
  if (error instanceof WorkAnalyticsError) return error.retryable;
  const name = (error as Error)?.name;
  return !['RowSchemaError', 'RunawayChainError', 'StuckCursorError', 'InvalidCursorError'].includes(name);
}
