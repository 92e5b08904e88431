import { FileObjectStore } from '../adapters/fs-store.js';
import { LocalFifoQueue } from '../adapters/local-fifo-queue.js';
import { pacedFetch } from '../adapters/paced-fetch.js';
import { processLeaseHolders } from '../adapters/process-leases.js';
import type { Credentials } from '../adapters/token-provider.js';
import { assertKnownPbxes } from '../adapters/wa-pbxes.js';
import { realRetryDeps } from '../adapters/wa-retry.js';
import { createWorkAnalytics } from '../adapters/work-analytics.js';
import { AdaptiveLimit, type AdaptiveLimitStats } from '../core/adaptive-limit.js';
import { API_RETENTION_MS } from '../core/control-message.js';
import { isPermanent, messageOf } from '../core/errors.js';
import { endOnLastDataPageAllowed, ensureManifest, placementOf } from '../core/manifest.js';
import { publishedOf, tallyOf } from '../core/outcome-tally.js';
import type { PageQuery } from '../core/page-query.js';
import { chainIdOf, type FilterField, type PageTask, type PbxScope } from '../core/page-task.js';
import { lastEndedMs } from '../core/plan.js';
import type { Clock, PageSource } from '../core/ports.js';
import {
  type ChainStart,
  failWindow,
  processTask,
  startChain,
  type TaskOutcome,
} from '../core/process-task.js';
import { RequestPace, type RequestPaceStats } from '../core/request-pace.js';
import type { Table } from '../core/tables.js';
import { EDGE_MS } from '../core/window-rows.js';
import { type Window, windowId, windowsFor } from '../core/windows.js';
import { UsageError } from './usage.js';

/** A local run: the same core as the Lambdas, on a folder and an in-process FIFO queue. */
export interface LocalRunOptions {
  tables: readonly Table[];
  fromMs: number;
  toMs: number;
  pbx: PbxScope;
  pageSize: number;
  gridMinutes: number;
  /**
   * The most chains in flight. The run starts at half of it, rises by one after each round of fast,
   * error-free answers and halves on a 429 or 5xx (see `AdaptiveLimit`); after a 429 the requests are also
   * spaced at the rate the API let through (see `RequestPace`). `fixedConcurrency` keeps both fixed.
   */
  concurrency: number;
  fixedConcurrency?: boolean;
  /**
   * End chains on their last data page where the lake's manifest records that `walake probe` found full
   * pages until the last (default true); false: every chain asks for `No Data`.
   */
  endOnLastDataPage?: boolean;
  isConnectTime: boolean;
  isSimplified: boolean;
  settleMinutes: number;
  out: string;
  connection: { baseUrl: string; credentials: Credentials };
  /** Called after each task; a promise it returns is awaited before the next (a slow sink holds the run back). */
  onProgress?: (progress: RunProgress) => void | Promise<void>;
  /** Redeliveries of a failing task before its chain is given up (default 5, as the AWS queue). */
  maxReceives?: number;
  retryDelayMs?: (receive: number) => number;
  /** The run's time: planning, settling, token lifetimes and the API's deadlines (default: the system clock). */
  clock?: Clock;
  /** Restarts of a window (refused cursors) before it is failed (default 3). */
  maxRestarts?: number;
  /** The field each report filters on, where it is not the docs' default (measured by `walake probe`). */
  filterFields?: Partial<Record<Table, FilterField>>;
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
  /** Rows quarantined (outside their window on the filter field) and rows with a mistyped value. */
  quarantined: number;
  typeMismatches: number;
  /** Windows whose chain ended on its last data page, and publications that contradicted an earlier one. */
  endedEarly: number;
  earlyEndsRevised: number;
  /** How the number of chains in flight moved (cap, start, peak, end; raises and halvings). */
  concurrency: AdaptiveLimitStats & { cap: number };
  /** The request rate learnt from the API's 429s (see `RequestPace`); `perSecond` absent while none came. */
  pace: RequestPaceStats;
  failures: { chain: string; error: string }[];
  /**
   * Windows this run did not publish because another chain took them over (a second run, a rerun, the
   * planner): what the lake holds for them is that chain's, not this run's.
   */
  superseded: { table: Table; window: string; by: string }[];
  /** Set when the range reached past the last window that has ended: where it was cut. */
  cutAtMs?: number;
  durationMs: number;
}

/** The settings of a table's chains in a run, without the window. */
function chainStartOf(options: LocalRunOptions, table: Table): Omit<ChainStart, 'window'> {
  const legsOnly = table === 'call-legs';
  const filterField = options.filterFields?.[table];
  return {
    table,
    pbx: options.pbx,
    pageSize: options.pageSize,
    isConnectTime: legsOnly && options.isConnectTime,
    isSimplified: legsOnly && options.isSimplified,
    ...(filterField ? { filterField } : {}),
  };
}

/** Room for a run's own time: a window must still be served when its chain reaches it. */
const RETENTION_MARGIN_MS = 24 * 3_600_000;

/**
 * The API answers nothing older than its two years, exactly as it answers a quiet hour: a window there would
 * be published empty over whatever the lake holds. Refused before anything is written, as the control path does.
 * @throws UsageError naming the earliest start that is still served.
 */
function assertWithinRetention(first: Window | undefined, nowMs: number): void {
  const earliest = nowMs - API_RETENTION_MS + RETENTION_MARGIN_MS;
  if (!first || first.startMs - EDGE_MS >= earliest) return;
  const day = Math.ceil(earliest / RETENTION_MARGIN_MS) * RETENTION_MARGIN_MS;
  throw new UsageError(
    `--from ${new Date(first.startMs).toISOString()} is older than the API serves (the last two years, less a ` +
      `day for the run itself): the API would answer those windows with no rows, and publishing them would empty ` +
      `the lake there. Start at ${new Date(day).toISOString()} or later; nothing was written`,
  );
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
    quarantined: 0,
    typeMismatches: 0,
    endedEarly: 0,
    earlyEndsRevised: 0,
    concurrency: { cap: options.concurrency, limit: 0, peak: 0, raises: 0, halvings: 0 },
    pace: { perSecond: undefined, cuts: 0, probes: 0 },
    failures: [],
    superseded: [],
    durationMs: 0,
  };
  const limiter = new AdaptiveLimit({
    cap: options.concurrency,
    ...(options.fixedConcurrency ? { initial: options.concurrency } : {}),
  });
  const throttledBy = (status: number | undefined) =>
    !options.fixedConcurrency && status !== undefined && (status === 429 || status >= 500);
  // A window still filling would be published as if whole, and not pulled again: cut the range there.
  const lastEnded = lastEndedMs(clock.now(), options.gridMinutes);
  const toMs = Math.min(options.toMs, lastEnded);
  if (toMs < options.toMs) summary.cutAtMs = lastEnded;
  const windows = toMs > options.fromMs ? windowsFor(options.fromMs, toMs, options.gridMinutes) : [];
  assertWithinRetention(windows[0], clock.now());
  // Every chain shares the API's limit: one pace for all their requests, learnt from its 429s.
  const pace = options.fixedConcurrency ? undefined : new RequestPace();
  const { client, tokens } = createWorkAnalytics({
    ...options.connection,
    ...(pace ? { fetch: pacedFetch(fetch, pace) } : {}),
    deps: { ...realRetryDeps, now: () => clock.now() },
    onRetry: () => void summary.retries++,
    onLogin: () => void summary.logins++,
  });
  // Fail fast on bad credentials and on a PBX the account does not have, before anything is written.
  await tokens.token();
  if (options.pbx !== 'allpbxes') await assertKnownPbxes(client, options.pbx);
  const source: PageSource = {
    fetchPage: async (query: PageQuery, opts) => {
      summary.requests++;
      const asked = clock.now();
      const token = limiter.sent();
      const page = await client.fetchPage(query, {
        ...opts,
        onRetry: (event) => {
          if (throttledBy(event.status)) limiter.throttled(token);
        },
      });
      if (!options.fixedConcurrency) limiter.succeeded(clock.now() - asked);
      return page;
    },
  };
  const store = new FileObjectStore(options.out);
  const starts = options.tables.map((table) => chainStartOf(options, table));
  // A lake made with another grid or another placement of a table's rows is refused before anything is pulled.
  const placements = Object.fromEntries(starts.map((start) => [start.table, placementOf(start)]));
  await ensureManifest(store, options.gridMinutes, clock.now(), placements);
  const endEarly = await endOnLastDataPageAllowed(store, options.tables, options.endOnLastDataPage ?? true);
  const queue = new LocalFifoQueue();
  const drift = new Set<string>();
  const report = async () => options.onProgress?.(summary);
  // Said before the chains start: starting a month of them writes a ledger entry each, which takes a while.
  summary.windows = starts.length * windows.length;
  await report();
  for (const start of starts) {
    for (const window of windows) {
      const early = endEarly[start.table] ? { endOnLastDataPage: true } : {};
      await startChain({ ...start, window: windowId(window), ...early }, { store, queue, clock });
    }
  }
  const record = (task: PageTask, outcome: TaskOutcome) => {
    const tally = tallyOf(outcome);
    summary.restarts += tally.chainsRestarted;
    summary.pages += tally.pagesFetched;
    summary.quarantined += tally.rowsQuarantined;
    summary.typeMismatches += tally.typeMismatches;
    summary.published += tally.windowsPublished;
    summary.endedEarly += tally.windowsEndedEarly;
    summary.earlyEndsRevised += tally.earlyEndsRevised;
    if (outcome.kind === 'failed') {
      summary.failures.push({ chain: chainIdOf(task), error: outcome.reason });
      summary.failed++;
    }
    if (outcome.kind === 'superseded')
      summary.superseded.push({ table: task.table, window: task.window, by: outcome.by });
    if (outcome.kind === 'next' || outcome.kind === 'published')
      for (const name of outcome.driftFields) drift.add(name);
    const published = publishedOf(outcome);
    if (!published) return;
    summary.rows += published.rows;
    const { verdict, explanation } = published.reconciliation;
    if (verdict === 'mismatch') summary.mismatches.push(`${task.table} ${task.window}: ${explanation}`);
    if (outcome.kind === 'published' && outcome.kept) {
      summary.mismatches.push(
        `${task.table} ${task.window}: the re-pull did not reconcile (${outcome.kept.explanation}); it was worse ` +
          'than the published window, which was kept as it was: find the cause, then rerun the window',
      );
    }
    summary.last = { table: task.table, window: task.window, rows: published.rows, verdict };
  };
  const ports = { source, store, queue, clock, leases: processLeaseHolders() };
  const workerOptions = {
    settleMinutes: options.settleMinutes,
    removeStaging: true,
    maxRestarts: options.maxRestarts,
  };
  const { deadLetters } = await queue.drain(
    async (task) => {
      try {
        record(task, await processTask(task, ports, workerOptions));
      } catch (error) {
        if (!isPermanent(error)) throw error;
        // Final: the window is failed in the ledger (with the reason), as on AWS, and the run goes on.
        await failWindow(task, messageOf(error), ports);
        summary.failures.push({ chain: chainIdOf(task), error: messageOf(error) });
        summary.failed++;
      }
      await report();
    },
    {
      concurrency: limiter,
      maxReceives: options.maxReceives ?? 5,
      retryDelayMs: options.retryDelayMs,
    },
  );
  for (const letter of deadLetters) {
    // Its last delivery failed: the window is failed in the ledger, as the worker does on AWS.
    await failWindow(letter.task, messageOf(letter.error), ports);
    summary.failures.push({ chain: chainIdOf(letter.task), error: messageOf(letter.error) });
    summary.failed++;
  }
  summary.driftFields = [...drift].sort();
  summary.concurrency = { cap: options.concurrency, ...limiter.stats() };
  if (pace) summary.pace = pace.stats();
  summary.durationMs = Math.round(performance.now() - started);
  await report();
  return summary;
}
