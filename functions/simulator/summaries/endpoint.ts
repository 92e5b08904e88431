import { catalogFor } from '../catalog.js';
import { type Answer, badParam, ERROR_CODES, json } from '../errors.js';
import { checkAccess, resolvePbx, type SimContext } from '../report-endpoint.js';
import { summaryCalls } from './calls.js';
import { type CompanySummaryRow, companyRow } from './company.js';
import { applyDisagreements } from './disagreement.js';
import { extensionRows } from './extension.js';
import { parseSummaryParams, type SummaryKind } from './params.js';
import { memberRows, ringGroupRows } from './ring-groups.js';

/** The summary paths relative to the base path, and what each answers. */
export const SUMMARY_PATHS: Readonly<Record<string, SummaryKind>> = {
  '/v1/compsum': 'compsum',
  '/v2/extsum': 'extsum',
  '/v2/rgsum-groups': 'rgsum-groups',
  '/v2/rgsum-members': 'rgsum-members',
};

/**
 * Answers one of the four summaries: checks as the paginated reports do (API key, token, licence, parameters,
 * PBX access), then computes the rows from the calls of the interval. Not paginated: one JSON array, `[]` when
 * the interval holds no call.
 */
export function answerSummary(
  ctx: SimContext,
  path: string,
  headers: Record<string, unknown>,
  q: URLSearchParams,
): Answer {
  const kind = SUMMARY_PATHS[path];
  if (!kind) throw new Error(`answerSummary: ${path} is not a summary path`);
  const refused = checkAccess(ctx, headers);
  if (refused) return refused;
  const p = parseSummaryParams(kind, q, ctx.ringGroupMembersExtId === 'required');
  if ('param' in p) return badParam(p);
  const pbxIndexes = resolvePbx(ctx, p.pbx, path);
  if (!Array.isArray(pbxIndexes)) return pbxIndexes;
  const catalogs = pbxIndexes.map((i) => catalogFor(ctx.seed, ctx.pbxIds[i] ?? '', i));
  const groups = catalogs.flatMap((cat) =>
    cat.ringGroups.filter((g) => p.extId === undefined || g.ext === p.extId).map((group) => ({ cat, group })),
  );
  if (kind === 'rgsum-members' && groups.length === 0) {
    const message = `Invalid extId: '${p.extId}' is not a ring group extension of the PBXes asked for`;
    const hint = 'Take the extension of a ring group from /v2/rgsum-groups';
    return badParam({ param: 'extId', code: ERROR_CODES.invalidExtId, message, type: 'invalidValue', hint });
  }
  const calls = summaryCalls(ctx, { ...p, pbxIndexes });
  const callsOf = (pbxId: string) => calls.get(pbxId) ?? [];
  let rows: Record<string, string | number>[];
  if (kind === 'compsum') {
    const computed: CompanySummaryRow[] = [...calls].map(([pbxId, list]) => companyRow(pbxId, list));
    rows = applyDisagreements(computed, ctx.summaryDisagreements, {
      pbxIds: catalogs.map((c) => c.pbxId),
      startMs: p.startMs,
      endMs: p.endMs,
      accountPbxIds: ctx.pbxIds,
    });
  } else if (kind === 'extsum') {
    rows = catalogs.flatMap((cat) => extensionRows(cat, callsOf(cat.pbxId)));
  } else if (kind === 'rgsum-groups') {
    rows = catalogs.flatMap((cat) => ringGroupRows(cat, callsOf(cat.pbxId)));
  } else {
    rows = groups.flatMap(({ cat, group }) => memberRows(cat, group, callsOf(cat.pbxId)));
  }
  return { ...json(200, rows), rows: rows.length };
}
