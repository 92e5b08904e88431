import { pipeline, Readable } from 'node:stream';
import { createGzip, gunzipSync } from 'node:zlib';
import type { ChainDone } from './chain-step.js';
import { lakeKey, ledgerKey, stagingKey, stagingPrefix } from './lake-keys.js';
import { lineRanges } from './lake-lines.js';
import { type LedgerEntry, LedgerEntrySchema, publishedEntry, runningEntry } from './ledger.js';
import type { PageTask } from './page-task.js';
import { taskWindow } from './page-task.js';
import type { Clock, ObjectStore } from './ports.js';

export interface PublishOptions {
  settleMinutes: number;
  /** Remove the attempt's staged pages after publishing (local runs; S3 expires them by lifecycle). */
  removeStaging: boolean;
}

/** A staged page the chain wrote is missing: publishing it would lose rows, so the task is retried. */
export class MissingStagedPageError extends Error {
  override readonly name = 'MissingStagedPageError';
}

/**
 * The result of a publish: the new ledger entry, or the newer attempt that made this one obsolete.
 * `duplicates` rows were dropped as repeats of a row with the same identity; `unidentified` rows had no
 * identity (a null `call_id`, or `leg_id` for legs) and were all kept.
 */
export type PublishResult =
  | { kind: 'published'; entry: LedgerEntry; duplicates: number; unidentified: number }
  | { kind: 'superseded'; byAttempt: number };

/** Reads a window's ledger entry; an unreadable one counts as absent (the next publish rewrites it). */
export async function readLedgerEntry(store: ObjectStore, key: string): Promise<LedgerEntry | undefined> {
  const body = await store.get(key);
  if (!body) return undefined;
  try {
    const parsed = LedgerEntrySchema.safeParse(JSON.parse(Buffer.from(body).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Publishes a finished chain: streams its staged pages, in order and without repeating a row, into the
 * window's one lake object (replaced whole, so Athena sees the old window or the new one, never a mix), then
 * writes the ledger entry. An attempt older than the one in the ledger is superseded and publishes nothing.
 */
export async function publishWindow(
  task: PageTask,
  done: ChainDone,
  ports: { store: ObjectStore; clock: Clock },
  options: PublishOptions,
): Promise<PublishResult> {
  const { store, clock } = ports;
  const window = taskWindow(task);
  const entryKey = ledgerKey(task.table, window);
  const current = await readLedgerEntry(store, entryKey);
  if (current && current.attempt > task.attempt) return { kind: 'superseded', byAttempt: current.attempt };
  const pageKeys = Array.from({ length: done.pages }, (_, i) =>
    stagingKey(task.table, window, task.attempt, i + 1),
  );
  const counter = { duplicates: 0, unidentified: 0 };
  const lines = streamLines(task, store, pageKeys, counter);
  if (!store.putStream) throw new Error('the object store cannot stream: publishing needs putStream');
  await store.putStream(lakeKey(task.table, window), gzipped(lines));
  // Without the chain's running entry (written when it started) the pull's start is unknown: the window's
  // end stands in, which never claims a settled pull that was not.
  const running =
    current?.attempt === task.attempt
      ? current
      : runningEntry({ table: task.table, window, pbx: task.pbx, attempt: task.attempt }, window.endMs);
  const kept = { ...done, rows: done.rows - counter.duplicates };
  const entry = publishedEntry(running, kept, clock.now(), options.settleMinutes);
  await store.put(entryKey, `${JSON.stringify(entry, null, 2)}\n`);
  if (options.removeStaging) await store.delete(stagingPrefix(task.table, window, task.attempt));
  return { kind: 'published', entry, duplicates: counter.duplicates, unidentified: counter.unidentified };
}

async function* streamLines(
  task: PageTask,
  store: ObjectStore,
  pageKeys: string[],
  counter: { duplicates: number; unidentified: number },
): AsyncGenerator<Uint8Array> {
  // A redelivered page fetched after late data arrived can overlap its neighbour: keep a row's first copy.
  // A row without an identity cannot be told from another one: it is kept, and counted.
  const seen = new Set<string>();
  for (const key of pageKeys) {
    const body = await store.get(key);
    if (!body) {
      throw new MissingStagedPageError(
        `${key} is missing, so ${task.table} ${task.window} attempt ${task.attempt} cannot be published whole; ` +
          'the task is retried, and a rerun of the window pulls it again',
      );
    }
    // The page's bytes go on as they are (no decoding into one string, no copy): only runs of kept lines.
    const bytes = gunzipSync(body);
    let runStart = 0;
    let runEnd = 0;
    for (const line of lineRanges(task.table, bytes)) {
      if (line.identity === undefined) {
        counter.unidentified++;
        continue;
      }
      if (!seen.has(line.identity)) {
        seen.add(line.identity);
        continue;
      }
      counter.duplicates++;
      runEnd = line.start;
      if (runEnd > runStart) yield bytes.subarray(runStart, runEnd);
      runStart = Math.min(line.end + 1, bytes.length);
    }
    if (runStart < bytes.length) {
      yield bytes.subarray(runStart);
      if (bytes[bytes.length - 1] !== NEWLINE) yield NEWLINE_BYTES;
    }
  }
}

const NEWLINE = 0x0a;
const NEWLINE_BYTES = new Uint8Array([NEWLINE]);

function gzipped(lines: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  const gzip = createGzip();
  // At most one page waits for the compressor: a window's size must not decide the worker's memory.
  // pipeline destroys the gzip stream with the source's error, so the reader sees a failed page as an error.
  pipeline(Readable.from(lines, { highWaterMark: 1 }), gzip, () => {});
  return gzip;
}
