import { isValidTimeZone, localToInstant, parseLocalTime } from '../time-zone.js';
import type { SummaryDisagreement } from '../types.js';
import { type CompanySummaryRow, emptyCompanyRow } from './company.js';

/** The measures a disagreement may change: every number of the company summary. */
export const COMPANY_MEASURES: readonly string[] = Object.keys(emptyCompanyRow('-')).filter(
  (k) => k !== 'pbxId',
);

/** Throws, naming the entry and what to write instead, when a disagreement cannot apply. */
export function checkDisagreement(d: SummaryDisagreement, pbxIds: readonly string[]): void {
  const what = `summaryDisagreements: ${JSON.stringify(d)}`;
  if (!pbxIds.includes(d.pbxId))
    throw new Error(`${what}: pbxId must be one of the simulator's PBXes (${pbxIds.join(', ')})`);
  if (!COMPANY_MEASURES.includes(d.measure))
    throw new Error(`${what}: measure must be a number of /v1/compsum, e.g. totalCall or totalTalkTime`);
  if (!Number.isInteger(d.by) || d.by === 0)
    throw new Error(`${what}: by must be a whole number other than 0`);
  if (d.timeZone !== undefined && !isValidTimeZone(d.timeZone))
    throw new Error(`${what}: timeZone must be an IANA zone such as UTC`);
  if (dayBounds(d) === undefined) throw new Error(`${what}: day must be a date written YYYY-MM-DD`);
}

/** The day's instants `[from, to)` in the disagreement's zone, or undefined when `day` is no date. */
function dayBounds(d: SummaryDisagreement): { from: number; to: number } | undefined {
  const wall = parseLocalTime(`${d.day} 00:00:00`);
  if (wall === undefined) return undefined;
  const zone = d.timeZone ?? 'UTC';
  return { from: localToInstant(wall, zone), to: localToInstant(wall + 86_400_000, zone) };
}

/**
 * Adds each disagreement to the rows of an answer whose interval `[startMs, endMs + 1 s)` covers its whole day;
 * a PBX with no row gets one of zeros first. Rows stay in the account's PBX order.
 */
export function applyDisagreements(
  rows: CompanySummaryRow[],
  disagreements: readonly SummaryDisagreement[],
  scope: { pbxIds: readonly string[]; startMs: number; endMs: number; accountPbxIds: readonly string[] },
): CompanySummaryRow[] {
  const out = new Map(rows.map((r) => [r.pbxId, { ...r }]));
  for (const d of disagreements) {
    checkDisagreement(d, scope.accountPbxIds);
    const day = dayBounds(d);
    if (!day || !scope.pbxIds.includes(d.pbxId)) continue;
    if (day.from < scope.startMs || day.to > scope.endMs + 1000) continue;
    const row = out.get(d.pbxId) ?? emptyCompanyRow(d.pbxId);
    row[d.measure] = Number(row[d.measure] ?? 0) + d.by;
    out.set(d.pbxId, row);
  }
  return scope.accountPbxIds.flatMap((id) => {
    const row = out.get(id);
    return row ? [row] : [];
  });
}
