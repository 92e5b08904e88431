import type { Dataset } from './dataset.js';
import {
  type Answer,
  accessDenied,
  badParam,
  ERROR_CODES,
  invalidApiKey,
  invalidToken,
  json,
  noAnalyticsAccess,
  type ParamProblem,
} from './errors.js';
import { parseReportParams, type Table } from './params.js';
import { filterTime, indexAfter, type QueryEngine, type Selection } from './query.js';
import { type RowLook, renderRow, stringifyBody } from './render.js';
import type { CursorCodec } from './scroll-id.js';
import { type ScrollQuirks, servedPage, visibleMatches } from './scroll-quirks.js';
import type { TokenStore } from './token-store.js';
import type {
  FilterField,
  LegsFilterField,
  RecordsFilterField,
  SummaryDisagreement,
  SummaryTimeField,
} from './types.js';

/** What the endpoints need of the running simulator. */
export interface SimContext {
  seed: number;
  apiKey: string;
  username: string;
  password: string;
  pbxIds: readonly string[];
  denied: ReadonlySet<string>;
  analyticsAccess: boolean;
  now: () => number;
  dataset: Dataset;
  engine: QueryEngine;
  tokens: TokenStore;
  /** Listed by /v2/pbxes/ as deleted; not readable. */
  deletedPbxIds: readonly string[];
  recordsFilterField: RecordsFilterField;
  legsFilterField: LegsFilterField;
  startInclusive: boolean;
  endInclusive: boolean;
  look: RowLook;
  quirks: ScrollQuirks;
  cursors: CursorCodec;
  raggedPages: boolean;
  summaryTimeField: SummaryTimeField;
  /** The live list of the company summary's disagreements (the simulator's `summaryDisagreements`). */
  summaryDisagreements: SummaryDisagreement[];
  ringGroupMembersExtId: 'required' | 'optional';
}

/** The time a request's rows are filtered and sorted on. */
export function filterFieldOf(ctx: SimContext, table: Table, isConnectTime: boolean): FilterField {
  if (table === 'call-records') return ctx.recordsFilterField;
  return isConnectTime ? 'connectTimeUTC' : ctx.legsFilterField;
}

export const NO_DATA = { meta: { totalRecordCount: 0, scrollId: 'No Data' }, data: [] };

/** The problem reported for a scrollId that cannot be continued (undecodable, unknown, or expired). */
export function scrollProblem(message: string): ParamProblem {
  const hint = 'Start the chain again without scrollId';
  return { param: 'scrollId', code: ERROR_CODES.invalidScrollId, message, type: 'invalidValue', hint };
}

/** The answer to a request without a valid API key, token or Analytics licence, checked in that order. */
export function checkAccess(ctx: SimContext, headers: Record<string, unknown>): Answer | undefined {
  if (headers['8x8-apikey'] !== ctx.apiKey) return invalidApiKey();
  const tokenProblem = ctx.tokens.check(
    typeof headers.authorization === 'string' ? headers.authorization : undefined,
  );
  if (tokenProblem) return invalidToken(tokenProblem);
  if (!ctx.analyticsAccess) return noAnalyticsAccess();
  return undefined;
}

/**
 * Answers GET /v2/call-legs or /v2/call-records: checks in the order the real gateway and service do (API key,
 * token, licence, parameters, PBX access), then serves the page after the cursor from the recomputed match set.
 */
export function answerReport(
  ctx: SimContext,
  table: Table,
  headers: Record<string, unknown>,
  q: URLSearchParams,
) {
  const refused = checkAccess(ctx, headers);
  if (refused) return refused;
  const p = parseReportParams(table, q);
  if ('param' in p) return badParam(p);
  const pbxIndexes = resolvePbx(ctx, p.pbx, `/v2/${table}`);
  if (!Array.isArray(pbxIndexes)) return pbxIndexes;
  const field = filterFieldOf(ctx, table, p.isConnectTime);
  const sel: Selection = {
    table,
    pbxIndexes,
    // Whole seconds: an inclusive end takes its whole second (a row at endTime + 0.999 s still matches), an
    // exclusive start leaves its whole second out.
    fromMs: ctx.startInclusive ? p.startMs : p.startMs + 1000,
    toMs: ctx.endInclusive ? p.endMs + 1000 : p.endMs,
    field,
    isSimplified: p.isSimplified,
    caller: p.caller,
    callee: p.callee,
    callerOrCallee: p.callerOrCallee,
  };
  const matches = visibleMatches(ctx.quirks, ctx.engine.select(sel, ctx.now()));
  ctx.quirks.answered++;
  let pos = 0;
  if (p.scrollId) {
    const key = cursorKey(ctx, table, p.scrollId, field);
    if (!key)
      return badParam(scrollProblem(`Invalid scrollId: '${p.scrollId.slice(0, 80)}' does not name a row`));
    pos = indexAfter(matches, key.f, key.callId, key.legId);
  }
  const size = ctx.raggedPages ? raggedSize(pos, p.pageSize) : p.pageSize;
  const page = servedPage(ctx.quirks, matches, pos, size, sel);
  const last = page.at(-1);
  if (!last) return { ...json(200, NO_DATA), rows: 0 };
  const data = page.map((m) => renderRow(m.row, p.timeZone, ctx.look));
  const meta = { totalRecordCount: matches.length, scrollId: ctx.cursors.encode(table, last.row) };
  const body = stringifyBody({ meta, data }, ctx.look.bigIntegers);
  return { ...json(200, {}), body, rows: page.length };
}

/**
 * The rows of a ragged page starting at match `pos`: from three quarters of `pageSize` to one row less, drawn
 * from the position (so a replayed cursor gets the same page).
 */
export function raggedSize(pos: number, pageSize: number): number {
  if (pageSize < 2) return pageSize;
  const spread = Math.max(1, Math.floor(pageSize / 4));
  const draw = Math.imul(pos + 1, 0x9e3779b1) >>> 0;
  return pageSize - 1 - (draw % spread);
}

/** The indexes of the PBXes a request names, or its 400 (unknown PBX) or 403 (denied PBX). */
export function resolvePbx(ctx: SimContext, pbx: string[] | 'allpbxes', path: string): number[] | Answer {
  if (pbx === 'allpbxes') {
    return ctx.pbxIds.flatMap((id, i) => (ctx.denied.has(id) ? [] : [i]));
  }
  const unknown = pbx.filter((id) => !ctx.pbxIds.includes(id));
  if (unknown.length > 0) {
    const message = `Invalid pbxId: ${unknown.join(',')} is not a PBX of this customer account`;
    const hint = 'Use the PBX names from the Admin Console, or allpbxes';
    return badParam({ param: 'pbxId', code: ERROR_CODES.invalidPbxId, message, type: 'invalidValue', hint });
  }
  const denied = pbx.find((id) => ctx.denied.has(id));
  if (denied) return accessDenied(ctx.username, denied, path, ctx.now());
  return pbx.map((id) => ctx.pbxIds.indexOf(id));
}

/** The sort key of the row a scrollId names, found by looking the row up (the cursor is a real keyset). */
function cursorKey(ctx: SimContext, table: Table, scrollId: string, field: FilterField) {
  const cursor = ctx.cursors.decode(table, scrollId);
  if (!cursor) return undefined;
  const call = ctx.dataset.call(cursor.callId);
  if (!call) return undefined;
  const row = table === 'call-legs' ? call.legs.find((l) => l.legId === cursor.legId) : call.record;
  if (!row || row.startTimeUTC !== cursor.startTimeUTC) return undefined;
  const f = filterTime(row, field);
  if (f === undefined) return undefined;
  return { f, callId: row.callId, legId: Number(cursor.legId ?? 0) };
}
