import { createHash } from 'node:crypto';
import { type Answer, invalidApiKey, invalidToken, json } from './errors.js';
import type { SimContext } from './report-endpoint.js';

/** Spec: "A value between 1 and 100 is supported"; the example's self link shows the default, 50. */
export const PBX_PAGE_MAX = 100;
const PBX_PAGE_DEFAULT = 50;

/** The opaque 22-character id of a PBX (the spec's look: `rXp_ceLVQs6RYjUp1Iqqwa`), stable per seed and name. */
export function pbxObjectId(seed: number, name: string): string {
  return createHash('sha256').update(`pbx|${seed}|${name}`).digest('base64url').slice(0, 22);
}

/** The customer-data API's error shape (`ErrorResponse`): timestamp, status, messages, path. */
function customerDataError(status: number, message: string, path: string, nowMs: number): Answer {
  const timestamp = new Date(nowMs).toISOString().replace('Z', '+0000');
  return json(status, { timestamp, status, messages: [message], path });
}

/**
 * Answers GET /v2/pbxes/ (customer-data API: same base URL, API key and token as the reports). Lists every PBX
 * of the customer by `name` (what reports take as pbxId), with an opaque `id` and `deleted`, sorted by name
 * (`sort=name,DESC` reverses), `page` from 0 and `size` 1..100. Denied PBXes are listed too: the spec calls this
 * "all pbxes of a customer" and answers 403 per resource, so access shows when a report asks for one. A user
 * without the Analytics licence gets the 403 of the whole resource. Like Spring HATEOAS, an empty page leaves
 * `_embedded` out; `_links` and `page` sit at the top level as the schema says (the spec's one example nests
 * them in `_embedded`).
 */
export function answerPbxes(
  ctx: SimContext,
  headers: Record<string, unknown>,
  q: URLSearchParams,
  fullPath: string,
): Answer {
  if (headers['8x8-apikey'] !== ctx.apiKey) return invalidApiKey();
  const tokenProblem = ctx.tokens.check(
    typeof headers.authorization === 'string' ? headers.authorization : undefined,
  );
  if (tokenProblem) return invalidToken(tokenProblem);
  const now = ctx.now();
  if (!ctx.analyticsAccess) {
    return customerDataError(403, 'The user does not have access to Analytics for Work', fullPath, now);
  }
  const number = readInt(q.get('page'), 0);
  const size = readInt(q.get('size'), PBX_PAGE_DEFAULT);
  if (number === undefined || number < 0) {
    return customerDataError(400, `Invalid page: '${q.get('page')}'`, fullPath, now);
  }
  if (size === undefined || size < 1 || size > PBX_PAGE_MAX) {
    const message = `Invalid size: '${q.get('size')}'. A value between 1 and ${PBX_PAGE_MAX} is supported`;
    return customerDataError(400, message, fullPath, now);
  }
  const sort = (q.get('sort') ?? 'name,ASC').split(',');
  if (sort[0] !== 'name' || !/^(asc|desc)?$/i.test(sort[1] ?? '')) {
    return customerDataError(400, `Invalid sort: '${q.get('sort')}'. Sort by name`, fullPath, now);
  }
  const all = [
    ...ctx.pbxIds.map((name) => ({ name, deleted: false })),
    ...ctx.deletedPbxIds.map((name) => ({ name, deleted: true })),
  ]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => ({ id: pbxObjectId(ctx.seed, p.name), name: p.name, deleted: p.deleted }));
  if ((sort[1] ?? '').toLowerCase() === 'desc') all.reverse();
  const totalPages = Math.ceil(all.length / size);
  const pbxList = all.slice(number * size, (number + 1) * size);
  const href = (n: number) => ({
    href: `https://api.8x8.com/analytics/work/v2/pbxes/?page=${n}&size=${size}`,
  });
  const links: Record<string, { href: string }> = { self: href(number) };
  if (totalPages > 0) Object.assign(links, { first: href(0), last: href(totalPages - 1) });
  if (number > 0 && number < totalPages) links.prev = href(number - 1);
  if (number + 1 < totalPages) links.next = href(number + 1);
  return json(200, {
    ...(pbxList.length > 0 ? { _embedded: { pbxList } } : {}),
    _links: links,
    page: { size, totalElements: all.length, totalPages, number },
  });
}

function readInt(text: string | null, fallback: number): number | undefined {
  if (text === null || text === '') return fallback;
  return /^\d{1,9}$/.test(text) ? Number(text) : undefined;
}
