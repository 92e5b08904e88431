import { hashSeed, mulberry32 } from './prng.js';
import type { Match } from './query.js';

/**
 * What a real scroll API may do to a chain that the docs do not rule out, as knobs (see `SimulatorOptions`):
 * rows ingested late with times behind a running chain's cursor, a page size clamped silently, and rows of the
 * request's edge seconds served twice.
 */
export interface ScrollQuirks {
  readonly seed: number;
  readonly ingestDelay?: { readonly fraction: number; readonly afterRequests: number } | undefined;
  readonly servedPageSize?: number | undefined;
  readonly duplicateEdgeRows: boolean;
  /** Report requests answered so far: what the ingest delay counts. */
  answered: number;
}

function delayed(quirks: ScrollQuirks, m: Match): boolean {
  const delay = quirks.ingestDelay;
  if (!delay || delay.fraction === 0) return false;
  const legId = 'legId' in m.row ? m.row.legId : '-';
  return mulberry32(hashSeed(quirks.seed, 'ingest-delay', m.row.callId, legId))() < delay.fraction;
}

/**
 * The matches the next request sees: rows drawn for the ingest delay appear only once `afterRequests` report
 * requests have been answered, whatever their times, so a chain that started earlier finds them behind its
 * cursor (and its later pages' totalRecordCount counts them).
 */
export function visibleMatches(quirks: ScrollQuirks, matches: Match[]): Match[] {
  const delay = quirks.ingestDelay;
  if (!delay || quirks.answered >= delay.afterRequests) return matches;
  return matches.filter((m) => !delayed(quirks, m));
}

/** The rows a page holds: at most the clamped page size; edge-second rows twice when configured. */
export function servedPage(
  quirks: ScrollQuirks,
  matches: Match[],
  pos: number,
  pageSize: number,
  edges: { fromMs: number; toMs: number },
): Match[] {
  const size = Math.min(pageSize, quirks.servedPageSize ?? pageSize);
  const page = matches.slice(pos, pos + size);
  if (!quirks.duplicateEdgeRows) return page;
  const atEdge = (f: number) => f < edges.fromMs + 1000 || f >= edges.toMs - 1000;
  return page.flatMap((m) => (atEdge(m.f) ? [m, m] : [m])).slice(0, size);
}
