import type { ApiPage } from './api-page.js';
import type { PageQuery } from './page-query.js';
import type { PageTask } from './page-task.js';

/**
 * The ports core needs; adapters implement them (S3 or a folder, SQS or an in-process FIFO, the 8x8 API or
 * the simulator). Core never imports an adapter.
 */

/** A key-value object store with the lake's key layout (see `lake-keys.ts`). */
export interface ObjectStore {
  /** Writes (or replaces) one object. */
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Reads one object; undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every key under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Deletes an object, or every object under a prefix ending in `/`. */
  delete(keyOrPrefix: string): Promise<void>;
  /** Writes one object from a stream, replacing any earlier version only once complete (used to publish). */
  putStream?(key: string, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** Reads one object with its version (S3's ETag; a content hash locally); undefined when absent. */
  getVersioned(key: string): Promise<Versioned | undefined>;
  /**
   * Compare-and-set: writes the object only if it is still at version `expected`, or still absent when
   * `expected` is null. Resolves to the new version, or undefined, writing nothing, when another writer got
   * there first.
   */
  putIf(key: string, body: Uint8Array | string, expected: string | null): Promise<string | undefined>;
}

/** An object and the version it was read at. */
export interface Versioned {
  readonly body: Uint8Array;
  readonly version: string;
}

/** The page queue: FIFO, grouped by chain id, de-duplicated by `dedupId`. */
export interface TaskQueue {
  send(task: PageTask): Promise<void>;
}

/** The report API (8x8 or the simulator); the adapter owns authentication and retries. */
export interface PageSource {
  /**
   * Fetches one page; gives up (rejects) at `deadlineMs` (epoch ms) so the Lambda can re-queue the task. When
   * the API refuses the chain's cursor, the error carries `cursorRejected: true`: the window starts over.
   */
  fetchPage(query: PageQuery, options: { deadlineMs?: number }): Promise<ApiPage>;
}

/** The time, injected so core stays deterministic under test. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/**
 * Who holds a window's publishing lease, where a worker can tell. A local run names its process, so that the
 * lease a killed run left behind is broken at once instead of blocking the window until it expires.
 */
export interface LeaseHolders {
  /** This worker's name, recorded in the leases it takes (at most 200 characters). */
  readonly self: string;
  /** false only when the named holder is known to be dead; undefined when it cannot be told (another machine). */
  isAlive(holder: string): boolean | undefined;
}
