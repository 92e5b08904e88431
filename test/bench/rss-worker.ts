import { readFileSync } from 'node:fs';
import { FileObjectStore } from '../../functions/adapters/fs-store.js';
import { createWorkAnalytics } from '../../functions/adapters/work-analytics.js';
import type { ChainDone } from '../../functions/core/chain-step.js';
import { chainStep } from '../../functions/core/chain-step.js';
import { ledgerKey, stagingKey } from '../../functions/core/lake-keys.js';
import { encodeLines } from '../../functions/core/lake-lines.js';
import { runningEntry } from '../../functions/core/ledger.js';
import { entryText } from '../../functions/core/ledger-store.js';
import { pageQueryOf } from '../../functions/core/page-query.js';
import { firstPageTask, type PageTask, taskWindow } from '../../functions/core/page-task.js';
import { processTask } from '../../functions/core/process-task.js';
import { publishWindow } from '../../functions/core/publish.js';
import type { LakeRow } from '../../functions/core/record-schema.js';

/**
 * One memory case per process, so that its peak RSS is its own: `node rss-worker.js <case> <json args>`
 * prints `{ maxRssMb, ms, ... }`. Cases: `idle` (the modules loaded, nothing done), `page` (one 7000-row page
 * task through processTask, from the simulator at `baseUrl`), `stage` (writes the staged pages of a large
 * window: setup, not measured), `publish` (publishes that window).
 */
interface Args {
  dir: string;
  window: string;
  baseUrl: string;
  credentials: { apiKey: string; username: string; password: string };
  pages: number;
  /** publish: the rows staged. */
  rows: number;
}

/** One chain id for every case: `stage` and `publish` run in separate processes on the same chain. */
const CHAIN = 'rssbench0001';

const task = (args: Args, pageSize: number): PageTask =>
  firstPageTask({
    table: 'call-legs',
    window: args.window,
    pbx: 'allpbxes',
    attempt: 1,
    chain: CHAIN,
    pageSize,
    isConnectTime: false,
    isSimplified: false,
  });

/** The bench measures memory, not time: every instant it records is this one. */
const INGESTED_AT_MS = Date.UTC(2026, 5, 11);
const clock = { now: () => INGESTED_AT_MS };

async function page(args: Args) {
  const { client } = createWorkAnalytics({ baseUrl: args.baseUrl, credentials: args.credentials });
  const sent: PageTask[] = [];
  const ports = {
    source: client,
    store: new FileObjectStore(args.dir),
    queue: { send: async (t: PageTask) => void sent.push(t) },
    clock,
  };
  const outcome = await processTask(task(args, 7000), ports, { settleMinutes: 60, removeStaging: true });
  if (outcome.kind !== 'next') throw new Error(`expected a full page and a next task, got ${outcome.kind}`);
  return { rows: outcome.rows };
}

// The staged pages of a window of `pages` × 7000 rows: one real page, its call ids made unique per page so
// that publishing keeps every row. And the ledger entry naming the chain as current, which publishing needs.
async function stage(args: Args) {
  const { client } = createWorkAnalytics({ baseUrl: args.baseUrl, credentials: args.credentials });
  const t = task(args, 7000);
  const step = chainStep(t, await client.fetchPage(pageQueryOf(t), {}), { ingestedAtMs: INGESTED_AT_MS });
  const store = new FileObjectStore(args.dir);
  for (let p = 1; p <= args.pages; p++) {
    const rows = step.rows.map((row): LakeRow => ({ ...row, call_id: `${row.call_id}-${p}` }));
    await store.put(stagingKey(t.table, taskWindow(t), t.chain, p), encodeLines(rows));
  }
  const { table, pbx, attempt, chain } = t;
  const entry = runningEntry({ table, window: taskWindow(t), pbx, attempt, chain }, clock.now());
  await store.put(ledgerKey(table, taskWindow(t)), entryText(entry));
  return { rows: step.rows.length * args.pages };
}

async function publish(args: Args) {
  const t = task(args, 7000);
  const done: ChainDone = {
    pages: args.pages,
    rows: args.rows,
    dropped: 0,
    before: 0,
    quarantined: 0,
    mismatched: 0,
    firstPageTotal: args.rows,
  };
  const store = new FileObjectStore(args.dir);
  const result = await publishWindow(t, done, { store, clock }, { settleMinutes: 60, removeStaging: false });
  if (result.kind !== 'published') throw new Error('the window was superseded');
  if (result.duplicates !== 0) throw new Error(`${result.duplicates} rows were taken for duplicates`);
  return { rows: result.entry.status === 'published' ? result.entry.rows : 0 };
}

const CASES: Record<string, (args: Args) => Promise<{ rows: number }>> = {
  idle: async () => ({ rows: 0 }),
  page,
  stage,
  publish,
};

/**
 * The process's peak RSS in MB: VmHWM where Linux has it. `process.resourceUsage().maxRSS` (KB) of a spawned
 * child also counts the parent's RSS at the fork (Linux keeps the high-water mark across exec): a child of a
 * 300 MB parent reports 300 MB however little it uses.
 */
function peakRssMb(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux: fall back to maxRSS
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const [name = '', json = '{}'] = process.argv.slice(2);
  const run = CASES[name];
  if (!run) throw new Error(`rss-worker: unknown case ${name}; one of ${Object.keys(CASES).join(', ')}`);
  const started = performance.now();
  const result = await run(JSON.parse(json) as Args);
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ ...result, ms, maxRssMb: peakRssMb() })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
