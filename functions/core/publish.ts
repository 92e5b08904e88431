import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { ChainDone } from './chain-step.js';
import { lakeKey, ledgerKey, stagingKey, stagingPrefix } from './lake-keys.js';
import { decodeLines, rowIdentity } from './lake-lines.js';
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

/** The result of a publish: the new ledger entry, or the newer attempt that made this one obsolete. */
export type PublishResult =
  | { kind: 'published'; entry: LedgerEntry; duplicates: number }
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
  const counter = { duplicates: 0 };
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
  return { kind: 'published', entry, duplicates: counter.duplicates };
}

async function* streamLines(
  task: PageTask,
  store: ObjectStore,
  pageKeys: string[],
  counter: { duplicates: number },
): AsyncGenerator<string> {
  // A redelivered page fetched after late data arrived can overlap its neighbour: keep a row's first copy.
  const seen = new Set<string>();
  for (const key of pageKeys) {
    const body = await store.get(key);
    if (!body) {
      throw new MissingStagedPageError(
        `${key} is missing, so ${task.table} ${task.window} attempt ${task.attempt} cannot be published whole; ` +
          'the task is retried, and a rerun of the window pulls it again',
      );
    }
    let chunk = '';
    for (const line of decodeLines(body)) {
      const identity = rowIdentity(task.table, line);
      if (seen.has(identity)) {
        counter.duplicates++;
        continue;
      }
      seen.add(identity);
      chunk += `${line}\n`;
    }
    if (chunk) yield chunk;
  }
}

function gzipped(lines: AsyncIterable<string>): AsyncIterable<Uint8Array> {
  const gzip = createGzip();
  // pipeline destroys the gzip stream with the source's error, so the reader sees a failed page as an error.
  pipeline(Readable.from(lines), gzip, () => {});
  return gzip;
}
