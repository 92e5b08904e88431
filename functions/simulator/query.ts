import { MAX_CALL_MS } from './call-builder.js';
import { isChildLeg } from './call-record.js';
import { type Dataset, HOUR_MS } from './dataset.js';
import type { Table } from './params.js';
import type { CallLegRow, CallRecordRow } from './rows.js';
import type { FilterField } from './types.js';

/** Only this much history is served ("the last 2 years"; taken as 730 days so that it is exact). */
export const RETENTION_MS = 730 * 24 * HOUR_MS;

/** Which rows a request or a truth query wants; the interval is half-open [fromMs, toMs) in ms. */
export interface Selection {
  table: Table;
  pbxIndexes: number[];
  fromMs: number;
  toMs: number;
  /** The time rows are filtered and sorted on. */
  field: FilterField;
  isSimplified: boolean;
  caller?: string[] | undefined;
  callee?: string[] | undefined;
  callerOrCallee?: string[] | undefined;
}

export interface LateData {
  fraction: number;
  delayMs: number;
}

/** A matching row and its sort key: filter time, then callId, then legId. */
export interface Match {
  f: number;
  row: CallLegRow | CallRecordRow;
}

interface Cached {
  matches: Match[];
  computedAt: number;
  validUntil: number;
}

const CACHE_ENTRIES = 64;
// Cached results keep their rows alive: bound them as well, in matches.
const CACHE_MATCHES = 1_000_000;

/** Orders matches as the API does. callIds all have 13 digits, so comparing them as text is numeric order. */
export function compareKeys(f: number, callId: string, legId: number, m: Match): number {
  if (f !== m.f) return f - m.f;
  if (callId !== m.row.callId) return callId < m.row.callId ? -1 : 1;
  return legId - legNumber(m.row);
}

export function legNumber(row: CallLegRow | CallRecordRow): number {
  return 'legId' in row ? Number(row.legId) : 0;
}

/** The filter time of a row, or undefined when the row has none (a connect time of a leg that never connected). */
export function filterTime(row: CallLegRow | CallRecordRow, field: FilterField): number | undefined {
  const value = row[field];
  return value > 0 ? value : undefined;
}

/**
 * Computes the sorted rows of a selection as visible at an instant. Results are memoized with the span of
 * clock time over which they cannot change (until the next late row shows up or the oldest row ages out), so
 * walking a chain page by page does not redo the work.
 */
export class QueryEngine {
  private readonly cache = new Map<string, Cached>();
  private cachedMatches = 0;

  constructor(
    private readonly dataset: Dataset,
    private readonly late: LateData | undefined,
    /** How much history is served (default {@link RETENTION_MS}). */
    private readonly retentionMs: number = RETENTION_MS,
  ) {}

  select(sel: Selection, atMs: number): Match[] {
    const key = JSON.stringify(sel);
    const hit = this.cache.get(key);
    if (hit && hit.computedAt <= atMs && atMs < hit.validUntil) {
      // Re-insert so that Map order stays least-recently-used first.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit.matches;
    }
    const computed = this.compute(sel, atMs);
    if (hit) this.forget(key, hit);
    this.cache.set(key, computed);
    this.cachedMatches += computed.matches.length;
    for (const [oldKey, old] of this.cache) {
      if (oldKey === key || (this.cache.size <= CACHE_ENTRIES && this.cachedMatches <= CACHE_MATCHES)) break;
      this.forget(oldKey, old);
    }
    return computed.matches;
  }

  private forget(key: string, entry: Cached): void {
    this.cache.delete(key);
    this.cachedMatches -= entry.matches.length;
  }

  private compute(sel: Selection, atMs: number): Cached {
    const from = Math.max(sel.fromMs, atMs - this.retentionMs);
    // Nothing that ends after `atMs` is visible yet, so the future is never scanned (an endTime in 9999 is fine);
    // but such a result changes as soon as the clock moves.
    const to = Math.min(sel.toMs, atMs + 1);
    const matches: Match[] = [];
    let validUntil = to < sel.toMs ? atMs + 1 : Number.POSITIVE_INFINITY;
    if (to <= from) return { matches, computedAt: atMs, validUntil };
    const accept = rowFilter(sel);
    const lastHour = Math.floor((to - 1) / HOUR_MS);
    for (const pbx of sel.pbxIndexes) {
      for (let hour = Math.floor((from - MAX_CALL_MS) / HOUR_MS); hour <= lastHour; hour++) {
        for (const call of this.dataset.bucket(pbx, hour)) {
          if (call.endMs < from) continue;
          const late = this.late && call.lateDraw < this.late.fraction ? this.late.delayMs : 0;
          const visibleAt = call.endMs + late;
          const rows = sel.table === 'call-legs' ? call.legs : [call.record];
          for (const row of rows) {
            const f = filterTime(row, sel.field);
            if (f === undefined || f < from || f >= to || !accept(row)) continue;
            if (visibleAt > atMs) validUntil = Math.min(validUntil, visibleAt);
            else {
              matches.push({ f, row });
              // The row drops out once it is older than the retention.
              validUntil = Math.min(validUntil, f + this.retentionMs + 1);
            }
          }
        }
      }
    }
    matches.sort((a, b) => compareKeys(a.f, a.row.callId, legNumber(a.row), b));
    return { matches, computedAt: atMs, validUntil };
  }
}

function rowFilter(sel: Selection): (row: CallLegRow | CallRecordRow) => boolean {
  const caller = sel.caller && new Set(sel.caller);
  const callee = sel.callee && new Set(sel.callee);
  const either = sel.callerOrCallee && new Set(sel.callerOrCallee);
  const simplified = sel.isSimplified && sel.table === 'call-legs';
  return (row) => {
    if (simplified && 'legId' in row && isChildLeg(row)) return false;
    if (caller && !caller.has(row.caller)) return false;
    if (callee && !callee.has(row.callee)) return false;
    return !either || either.has(row.caller) || either.has(row.callee);
  };
}

/** Index of the first match strictly after the given key (binary search over sorted matches). */
export function indexAfter(matches: Match[], f: number, callId: string, legId: number): number {
  let lo = 0;
  let hi = matches.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = matches[mid];
    if (m && compareKeys(f, callId, legId, m) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
