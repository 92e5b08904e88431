import { WalakeError } from './errors.js';
import { type LedgerEntry, LedgerEntrySchema } from './ledger.js';
import type { ObjectStore } from './ports.js';

/** Compare-and-set attempts before a ledger update gives up (and its task is retried). */
const MAX_CAS_ATTEMPTS = 10;

/** A window's ledger entry and the version it was read at (null: no entry yet). */
export interface VersionedEntry {
  readonly entry: LedgerEntry | undefined;
  readonly version: string | null;
}

/** The ledger entry kept changing under a compare-and-set: the task is retried, nothing half-written. */
export class LedgerContentionError extends WalakeError {
  override readonly name = 'LedgerContentionError';
  override readonly retryable = true;
}

function parseEntry(body: Uint8Array): LedgerEntry | undefined {
  try {
    const parsed = LedgerEntrySchema.safeParse(JSON.parse(Buffer.from(body).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a window's ledger entry; an unreadable one counts as absent (the next write replaces it). */
export async function readLedgerEntry(store: ObjectStore, key: string): Promise<LedgerEntry | undefined> {
  const body = await store.get(key);
  return body ? parseEntry(body) : undefined;
}

/** Reads a window's ledger entry with its version, for a compare-and-set. */
export async function readVersionedEntry(store: ObjectStore, key: string): Promise<VersionedEntry> {
  const object = await store.getVersioned(key);
  if (!object) return { entry: undefined, version: null };
  return { entry: parseEntry(object.body), version: object.version };
}

/** The text of a ledger entry as stored. */
export function entryText(entry: LedgerEntry): string {
  return `${JSON.stringify(entry, null, 2)}\n`;
}

/**
 * Changes a window's ledger entry by compare-and-set: reads it, asks `change` for the new entry, and writes it
 * only if nobody wrote in between; on a conflict it reads again and asks again. `change` returns undefined to
 * write nothing (the entry no longer allows the change). Resolves to what was written, or undefined.
 * @throws LedgerContentionError after {@link MAX_CAS_ATTEMPTS} conflicts in a row.
 */
export async function updateEntry(
  store: ObjectStore,
  key: string,
  change: (current: LedgerEntry | undefined) => LedgerEntry | undefined,
): Promise<LedgerEntry | undefined> {
  for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
    const { entry, version } = await readVersionedEntry(store, key);
    const next = change(entry);
    if (!next) return undefined;
    if ((await store.putIf(key, entryText(next), version)) !== undefined) return next;
  }
  throw new LedgerContentionError(
    `${key} changed ${MAX_CAS_ATTEMPTS} times while being updated; the task is retried`,
  );
}
