import { pipeline, Readable } from 'node:stream';
import { createGzip, gunzipSync } from 'node:zlib';
import type { ChainDone } from './chain-step.js';
import { WalakeError } from './errors.js';
import { lakeKey, ledgerKey, stagingKey, stagingPrefix } from './lake-keys.js';
import { lineRanges } from './lake-lines.js';
import {
  isWorseThanPublished,
  keptEntry,
  type LedgerEntry,
  publishedEntry,
  type Reconciliation,
} from './ledger.js';
import { updateEntry } from './ledger-store.js';
import { ensureManifest, placementOf } from './manifest.js';
import type { PageTask } from './page-task.js';
import { ALL_PBXES, taskWindow } from './page-task.js';
import type { Clock, LeaseHolders, ObjectStore } from './ports.js';
import { windowMinutes } from './windows.js';

export interface PublishOptions {
  settleMinutes: number;
  /** Remove the chain's staged pages after publishing (local runs; S3 expires them by lifecycle). */
  removeStaging: boolean;
}

/** How long a chain may hold a window's publishing lease: past a Lambda's longest run, it is dead. */
export const PUBLISH_LEASE_MS = 20 * 60_000;

/** A staged page the chain wrote is missing: publishing it would lose rows, so the task is retried. */
export class MissingStagedPageError extends WalakeError {
  override readonly name = 'MissingStagedPageError';
  override readonly retryable = true;
}

/** An older chain is still writing the window's object: publishing now could be overwritten by it. */
export class PublishWaitError extends WalakeError {
  override readonly name = 'PublishWaitError';
  /** Retried: the lease ends when that chain finishes, or after {@link PUBLISH_LEASE_MS}. */
  override readonly retryable = true;
}

/**
 * The result of a publish: the new ledger entry, or the chain that made this one obsolete.
 * `duplicates` rows were dropped as repeats of a row with the same identity; `unidentified` rows had no
 * identity (a null `call_id`, or `leg_id` for legs) and were all kept.
 */
export type PublishResult =
  | {
      kind: 'published';
      entry: LedgerEntry;
      duplicates: number;
      unidentified: number;
      /** The chain had published the window already: a redelivered last page, which wrote nothing. */
      alreadyPublished?: true;
    }
  | {
      kind: 'kept';
      entry: LedgerEntry;
      rejected: Reconciliation;
      duplicates: 0;
      unidentified: 0;
      /** As for `published`: the chain's re-pull had been kept already. */
      alreadyPublished?: true;
    }
  | { kind: 'superseded'; by: string };

/**
 * Publishes a finished chain, only while the ledger names it as the window's current chain:
 * 1. it takes the window's publishing lease in the ledger (compare-and-set), so that no newer chain can
 *    publish under it and be overwritten by this older one;
 * 2. it streams its staged pages, in order and without repeating a row with an identity, into the window's
 *    one lake object (replaced whole: Athena sees the old window or the new one, never a mix). A pull of some
 *    PBXes keeps the rows of every other PBX from the object it replaces;
 * 3. it writes the published entry (compare-and-set); if a newer chain started meanwhile, it only gives the
 *    lease back, and that chain publishes over its object.
 * A superseded chain publishes nothing.
 */
export async function publishWindow(
  task: PageTask,
  done: ChainDone,
  ports: { store: ObjectStore; clock: Clock; leases?: LeaseHolders },
  options: PublishOptions,
): Promise<PublishResult> {
  const { store, clock, leases } = ports;
  const window = taskWindow(task);
  const entryKey = ledgerKey(task.table, window);
  // Never a second grid, nor a second placement of a table's rows, in one lake: the manifest names both.
  await ensureManifest(store, windowMinutes(window), clock.now(), { [task.table]: placementOf(task) });
  let already: LedgerEntry | undefined;
  let other: string | undefined;
  const leased = await updateEntry(store, entryKey, (current) => {
    already = undefined;
    other = undefined;
    if (!current || current.chain !== task.chain) {
      other = current?.chain ?? 'no chain';
      return undefined;
    }
    if (current.status === 'published') {
      already = current; // A redelivered last page: the window is published already.
      return undefined;
    }
    if (current.status !== 'running') {
      other = `a ${current.status} window`;
      return undefined;
    }
    const lease = current.publishing;
    if (lease && lease.chain !== task.chain && leaseHeld(lease, clock.now(), leases)) {
      throw new PublishWaitError(
        `${task.table} ${task.window}: chain ${lease.chain}${lease.holder ? ` (${lease.holder})` : ''} is ` +
          "still writing the window's object; retried",
      );
    }
    const since = new Date(clock.now()).toISOString();
    const holder = leases ? { holder: leases.self } : {};
    return { ...current, publishing: { chain: task.chain, since, ...holder } };
  });
  if (already) return replayed(already, task);
  if (!leased) return { kind: 'superseded', by: other ?? 'a newer chain' };
  const worse = await keepIfWorse(task, done, leased, ports);
  if (worse) {
    if (worse.kind === 'kept' && options.removeStaging) {
      await store.delete(stagingPrefix(task.table, window, task.chain));
    }
    return worse;
  }
  const pageKeys = Array.from({ length: done.pages }, (_, i) =>
    stagingKey(task.table, window, task.chain, i + 1),
  );
  const counter = { duplicates: 0, unidentified: 0, replaced: 0 };
  const key = lakeKey(task.table, window);
  const kept = task.pbx === ALL_PBXES ? [] : await otherPbxLines(task.table, store, key, task.pbx);
  const lines = streamLines(task, store, pageKeys, counter, kept);
  if (!store.putStream) throw new Error('the object store cannot stream: publishing needs putStream');
  await store.putStream(key, gzipped(lines));
  const totals = { ...done, rows: done.rows - counter.duplicates, unidentified: counter.unidentified };
  const entry = publishedEntry(leased, totals, clock.now(), options.settleMinutes);
  const written = await updateEntry(store, entryKey, (current) =>
    current?.chain === task.chain && current.publishing?.chain === task.chain ? entry : undefined,
  );
  if (!written) {
    // A newer chain took the window while this one wrote: hand the lease back; that chain publishes next.
    await updateEntry(store, entryKey, (current) => {
      if (current?.publishing?.chain !== task.chain) return undefined;
      const { publishing: _released, ...rest } = current;
      return rest as LedgerEntry;
    });
    return { kind: 'superseded', by: 'a chain started while this one published' };
  }
  if (options.removeStaging) await store.delete(stagingPrefix(task.table, window, task.chain));
  return { kind: 'published', entry, duplicates: counter.duplicates, unidentified: counter.unidentified };
}

/** The result a redelivered last page gets: the window as this chain left it, published or kept. */
function replayed(entry: LedgerEntry, task: PageTask): PublishResult {
  const again = { duplicates: 0, unidentified: 0, alreadyPublished: true } as const;
  if (entry.status === 'published' && entry.rejected?.chain === task.chain) {
    return { kind: 'kept', entry, rejected: entry.rejected.reconciliation, ...again };
  }
  return { kind: 'published', entry, ...again };
}

/**
 * A re-pull whose rows, before de-duplication, already reconcile worse than the published window (see
 * {@link isWorseThanPublished}) does not replace it: the window is kept, and its entry records the re-pull
 * (compare-and-set, releasing the lease). De-duplication only lowers the rows, so it cannot make such a pull
 * better. Undefined when the pull may replace the window.
 */
async function keepIfWorse(
  task: PageTask,
  done: ChainDone,
  leased: LedgerEntry,
  ports: { store: ObjectStore; clock: Clock },
): Promise<PublishResult | undefined> {
  const { store, clock } = ports;
  const pull = publishedEntry(leased, done, clock.now(), 0);
  if (pull.status !== 'published' || !isWorseThanPublished(leased.previous, pull)) return undefined;
  const rejected = {
    chain: task.chain,
    attempt: task.attempt,
    at: new Date(clock.now()).toISOString(),
    rows: pull.rows,
    reconciliation: pull.reconciliation,
  };
  const kept = keptEntry(leased, rejected);
  if (!kept) return undefined;
  const written = await updateEntry(store, ledgerKey(task.table, taskWindow(task)), (current) =>
    current?.chain === task.chain && current.publishing?.chain === task.chain ? kept : undefined,
  );
  if (!written) return { kind: 'superseded', by: 'a chain started while this one published' };
  return { kind: 'kept', entry: kept, rejected: pull.reconciliation, duplicates: 0, unidentified: 0 };
}

/**
 * Whether another chain's publishing lease still stands: until {@link PUBLISH_LEASE_MS} have passed, unless its
 * holder is known to be dead (a local run killed mid-publish: its object never replaced the window's).
 */
function leaseHeld(
  lease: NonNullable<LedgerEntry['publishing']>,
  nowMs: number,
  leases: LeaseHolders | undefined,
): boolean {
  if (nowMs - Date.parse(lease.since) >= PUBLISH_LEASE_MS) return false;
  return lease.holder === undefined || leases?.isAlive(lease.holder) !== false;
}

/** A line of the window's current object kept by a scoped pull, with its row's identity. */
interface KeptLine {
  readonly bytes: Uint8Array;
  readonly identity: string | undefined;
}

/**
 * The lines of the window's current object whose PBX is outside `scope`: a pull of some PBXes replaces exactly
 * their rows and keeps every other PBX's. Read whole (a scoped pull is an operator's rerun, not the hot path).
 */
async function otherPbxLines(
  table: PageTask['table'],
  store: ObjectStore,
  key: string,
  scope: readonly string[],
): Promise<KeptLine[]> {
  const body = await store.get(key);
  if (!body) return [];
  const pulled = new Set(scope);
  const kept: KeptLine[] = [];
  const bytes = gunzipSync(body);
  for (const line of lineRanges(table, bytes)) {
    if (line.end === line.start) continue;
    const text = bytes.toString('utf8', line.start, line.end);
    const pbx = (JSON.parse(text) as { pbx_id?: unknown }).pbx_id;
    if (typeof pbx !== 'string' || !pulled.has(pbx)) {
      kept.push({ bytes: bytes.subarray(line.start, line.end + 1), identity: line.identity });
    }
  }
  return kept;
}

async function* streamLines(
  task: PageTask,
  store: ObjectStore,
  pageKeys: string[],
  counter: { duplicates: number; unidentified: number; replaced: number },
  kept: readonly KeptLine[] = [],
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
  // The other PBXes' rows come last, so that a row the new pull also returned is never written twice: the
  // fresh copy has been written, the old one is left out.
  for (const line of kept) {
    if (line.identity !== undefined && seen.has(line.identity)) {
      counter.replaced++;
      continue;
    }
    yield line.bytes;
    if (line.bytes[line.bytes.length - 1] !== NEWLINE) yield NEWLINE_BYTES;
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
