import * as z from 'zod/mini';
import { ALL_PBXES } from '../core/page-task.js';
import { describeIssues } from '../core/zod.js';
import { WorkAnalyticsError } from './wa-errors.js';

/** The customer-data API's PBX list, under the same base URL as the reports. */
export const PBXES_PATH = '/v2/pbxes/';
/** The spec allows 1..100 PBXes a page. */
const PAGE_SIZE = 100;
/** 10 000 PBXes: more pages than that means the paging is broken, not that the account is that large. */
const MAX_PAGES = 100;

/** One PBX: `name` is what the reports take as pbxId; `id` is the customer-data API's own opaque id. */
export interface Pbx {
  readonly id: string;
  readonly name: string;
  readonly deleted: boolean;
}

/** The account's PBXes, and the names of those not deleted (the pbxIds a report can ask for). */
export interface PbxList {
  readonly pbxes: readonly Pbx[];
  readonly names: readonly string[];
}

const PageMeta = z.object({
  totalPages: z.int().check(z.nonnegative()),
  number: z.int().check(z.nonnegative()),
});
const PbxSchema = z.object({
  id: z.string(),
  name: z.string().check(z.minLength(1)),
  deleted: z.optional(z.boolean()),
});
// The schema puts `page` at the top; the spec's one example nests it in `_embedded`: both are read. An empty page
// may have no `_embedded` at all (Spring HATEOAS leaves it out).
const PbxPageSchema = z.object({
  _embedded: z.optional(z.object({ pbxList: z.optional(z.array(PbxSchema)), page: z.optional(PageMeta) })),
  page: z.optional(PageMeta),
});

/** One page of the list, and whether another follows. */
export interface PbxPage {
  readonly pbxes: Pbx[];
  readonly more: boolean;
}

/** The query of a page of the list, sorted by name so that pages do not shift while they are read. */
export function pbxPagePath(page: number): string {
  return new URLSearchParams({ page: String(page), size: String(PAGE_SIZE), sort: 'name,ASC' }).toString();
}

/**
 * Reads a `/v2/pbxes/` body (parsed JSON).
 * @throws Error naming the field when the body is not a PBX list page.
 */
export function parsePbxPage(body: unknown): PbxPage {
  const parsed = PbxPageSchema.safeParse(body);
  if (!parsed.success) {
    const detail = describeIssues(parsed.error.issues);
    throw new Error(`not a PBX list page (${detail})`);
  }
  const { _embedded: embedded, page: top } = parsed.data;
  const meta = top ?? embedded?.page;
  if (!embedded && !meta) throw new Error('not a PBX list page (neither _embedded nor page)');
  const pbxes = (embedded?.pbxList ?? []).map((p) => ({
    id: p.id,
    name: p.name,
    deleted: p.deleted ?? false,
  }));
  return { pbxes, more: meta !== undefined && meta.number + 1 < meta.totalPages && pbxes.length > 0 };
}

/** Reads every page through `fetchPage` (page numbers from 0). */
export async function collectPbxes(fetchPage: (page: number) => Promise<PbxPage>): Promise<PbxList> {
  const pbxes: Pbx[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetchPage(page);
    pbxes.push(...answer.pbxes);
    if (!answer.more) break;
  }
  const byName = new Map(pbxes.map((p) => [p.name, p]));
  const unique = [...byName.values()];
  return { pbxes: unique, names: unique.filter((p) => !p.deleted).map((p) => p.name) };
}

/** PBX ids (names) that the account does not have: the message names them, the known ones, and what to do. */
export class UnknownPbxError extends WorkAnalyticsError {
  override name = 'UnknownPbxError';
  constructor(
    readonly unknown: readonly string[],
    readonly known: readonly string[],
    hints: readonly string[],
  ) {
    super(
      `Unknown 8x8 PBX id${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}. The account's PBXes are: ` +
        `${known.length > 0 ? known.join(', ') : '(none)'}.${hints.map((h) => ` ${h}`).join('')} Set the PBX ids to ` +
        'names from that list, or to allpbxes: CDK context pbxIds, Lambda env PBX_IDS, walake run --pbx. ' +
        'Nothing was written.',
    );
  }
}

/**
 * Checks configured PBX ids against the account's PBX list before anything is pulled or written. `allpbxes`
 * passes alone and in lower case only: the API takes any other spelling, or the word among names, as a PBX. Denied PBXes are listed, so they pass too: their reports answer 403 (`PbxAccessDeniedError`).
 * @returns the list, for the caller to log or reuse; undefined when there was nothing to check (allpbxes).
 * @throws UnknownPbxError naming the ids the account does not have.
 */
export async function assertKnownPbxes(
  client: { listPbxes(options?: { deadlineMs?: number }): Promise<PbxList> },
  ids: readonly string[],
  options: { deadlineMs?: number } = {},
): Promise<PbxList | undefined> {
  if (ids.length === 1 && ids[0] === ALL_PBXES) return undefined;
  const wanted = ids;
  if (wanted.length === 0) return undefined;
  const list = await client.listPbxes(options);
  const unknown = wanted.filter((id) => !list.names.includes(id));
  if (unknown.length === 0) return list;
  const hints = unknown.flatMap((id) => {
    if (id.toLowerCase() === ALL_PBXES) return [`for every PBX, write ${ALL_PBXES} alone, in lower case.`];
    const pbx = list.pbxes.find((p) => p.name === id || p.id === id);
    if (pbx?.deleted) return [`${id} is deleted.`];
    if (pbx) return [`${id} is the id of the PBX named ${pbx.name}: reports take the name.`];
    const near = list.names.find((name) => name.toLowerCase() === id.toLowerCase());
    return near ? [`${id}: did you mean ${near}?`] : [];
  });
  throw new UnknownPbxError(unknown, list.names, hints);
}
