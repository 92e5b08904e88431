import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { TABLES } from './tables.js';
import { parseWindowId, type Window } from './windows.js';
import './zod.js';

/** The version of the page-task message; a consumer refuses any other. */
export const PAGE_TASK_VERSION = 1;
/** Hard ceiling on a chain's page number, whatever the API says (the runaway cap is usually far lower). */
export const MAX_PAGE = 10_000;
/** The API's documented maximum `pageSize`. */
export const MAX_PAGE_SIZE = 7000;
/** Longest scrollId a task may carry; the API's are about 60 characters. */
export const MAX_SCROLL_ID_LENGTH = 2048;
/** Most PBX ids a scope may list. */
export const MAX_PBX_IDS = 100;
/** The PBX scope that means every PBX of the account. */
export const ALL_PBXES = 'allpbxes';

const isWindowId = (id: string): boolean => {
  try {
    parseWindowId(id);
    return true;
  } catch {
    return false;
  }
};

/** A grid window id, e.g. `20261127T0100Z-60m`. */
export const WindowIdSchema = z
  .string()
  .check(
    z.maxLength(32),
    z.refine(isWindowId, { error: 'must be a grid window id such as 20261127T0100Z-60m' }),
  );

const sortedUnique = (ids: readonly string[]): boolean =>
  ids.every((id, i) => i === 0 || (ids[i - 1] ?? '') < id);

/**
 * The PBX scope of a chain: `allpbxes`, or a sorted list of unique PBX names (sorted so that the same scope
 * always yields the same chain id). No commas: the API takes the list comma-joined.
 */
export const PbxScopeSchema = z.union([
  z.literal(ALL_PBXES),
  z
    .array(
      z.string().check(
        z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
          error: 'must be a PBX name (letters, digits, . _ -)',
        }),
      ),
    )
    .check(
      z.minLength(1),
      z.maxLength(MAX_PBX_IDS),
      z.refine(sortedUnique, { error: 'PBX ids must be sorted and unique' }),
    ),
]);

/** A PBX scope: `allpbxes` or a sorted list of PBX names. */
export type PbxScope = z.infer<typeof PbxScopeSchema>;

/** An opaque API cursor: base64 or base64url text, bounded. */
export const ScrollIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(MAX_SCROLL_ID_LENGTH),
    z.regex(/^[A-Za-z0-9+/_-]+={0,2}$/, { error: 'must be base64 or base64url text' }),
  );

/**
 * The SQS message that carries a chain forward, one page at a time. Cursor state only: strict, so a token or
 * credential (or any other unknown field) is refused.
 */
export const PageTaskSchema = z
  .strictObject({
    v: z.literal(PAGE_TASK_VERSION),
    table: z.enum(TABLES),
    window: WindowIdSchema,
    pbx: PbxScopeSchema,
    attempt: z.int().check(z.positive()),
    page: z.int().check(z.minimum(1), z.maximum(MAX_PAGE)),
    scrollId: z.optional(ScrollIdSchema),
    firstPageTotal: z.optional(z.int().check(z.nonnegative())),
    rowsSoFar: z.int().check(z.nonnegative()),
    droppedSoFar: z.int().check(z.nonnegative()),
    isConnectTime: z.boolean(),
    isSimplified: z.boolean(),
    pageSize: z.int().check(z.minimum(1), z.maximum(MAX_PAGE_SIZE)),
  })
  .check(
    z.superRefine((task, ctx) => {
      const issue = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if (task.page === 1) {
        if (task.firstPageTotal !== undefined) issue('firstPageTotal', 'is only known after page 1');
        if (task.rowsSoFar !== 0 || task.droppedSoFar !== 0) issue('rowsSoFar', 'must be 0 on page 1');
      } else {
        if (task.scrollId === undefined) issue('scrollId', 'is required after page 1');
        if (task.firstPageTotal === undefined) issue('firstPageTotal', 'is required after page 1');
        else if (task.page > pageCap(task.firstPageTotal, task.pageSize)) {
          issue(
            'page',
            `is over the chain's cap of ${pageCap(task.firstPageTotal, task.pageSize)} pages for its first-page total`,
          );
        }
      }
      if (task.table === 'call-records' && (task.isConnectTime || task.isSimplified)) {
        issue('isConnectTime', 'isConnectTime and isSimplified apply to call-legs only');
      }
    }),
  );

/**
 * The most pages a chain may request: the pages its first-page total needs, plus a margin of 2 (the final
 * `No Data` answer, a partial page) and 10 % for rows that arrive while the chain runs.
 */
export function pageCap(firstPageTotal: number, pageSize: number): number {
  const pages = Math.ceil(firstPageTotal / pageSize);
  return Math.min(MAX_PAGE, pages + 2 + Math.ceil(pages * 0.1));
}

/** One page task. */
export type PageTask = z.infer<typeof PageTaskSchema>;

/** The result of {@link parsePageTask}. */
export type PageTaskResult = { ok: true; task: PageTask } | { ok: false; error: string };

const CREDENTIAL_LIKE = /token|secret|passw|credential|auth|api.?key|bearer/i;

/** Validates a page-task message (the SQS body text, or its parsed JSON); the error names the field. */
export function parsePageTask(json: unknown): PageTaskResult {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch {
      return { ok: false, error: 'page task: the message body is not JSON' };
    }
  }
  const parsed = PageTaskSchema.safeParse(value);
  return parsed.success
    ? { ok: true, task: parsed.data }
    : { ok: false, error: describeTaskError(parsed.error) };
}

/** A page-task validation error as one line that names each offending field. */
export function describeTaskError(error: z.core.$ZodError): string {
  const messages = error.issues.map((i) => {
    if (i.code !== 'unrecognized_keys') return `${i.path.join('.') || '(message)'}: ${i.message}`;
    const credential = i.keys.some((k) => CREDENTIAL_LIKE.test(k));
    const why = credential ? ' (a task must never carry a token or credential)' : '';
    return `unknown field ${i.keys.join(', ')}${why}`;
  });
  return `page task refused: ${messages.join('; ')}`;
}

/** The scope of a list of PBX names (sorted, de-duplicated), or `allpbxes`. */
export function pbxScope(ids: readonly string[] | typeof ALL_PBXES): PbxScope {
  return ids === ALL_PBXES ? ALL_PBXES : PbxScopeSchema.parse([...new Set(ids)].sort());
}

function scopeTag(pbx: PbxScope): string {
  if (pbx === ALL_PBXES) return 'all';
  return `p${createHash('sha256').update(pbx.join(',')).digest('hex').slice(0, 16)}`;
}

/**
 * The chain's id, also its SQS `MessageGroupId`: `<table>.<window id>.<scope>.a<attempt>`, e.g.
 * `call-legs.20261127T0100Z-60m.all.a1`; a PBX list is a 16-hex sha256 tag (`p3f2a…`). Deterministic, under
 * 64 characters of `[A-Za-z0-9.-]`.
 */
export function chainIdOf(task: Pick<PageTask, 'table' | 'window' | 'pbx' | 'attempt'>): string {
  return `${task.table}.${task.window}.${scopeTag(task.pbx)}.a${task.attempt}`;
}

/** The SQS `MessageDeduplicationId` of a task: chain id + page, so a re-sent page is sent once. */
export function dedupId(task: PageTask): string {
  return `${chainIdOf(task)}.p${task.page}`;
}

/** The window of a task. */
export function taskWindow(task: Pick<PageTask, 'window'>): Window {
  return parseWindowId(task.window);
}

/** The first task of a chain. */
export function firstPageTask(
  start: Pick<
    PageTask,
    'table' | 'window' | 'pbx' | 'attempt' | 'pageSize' | 'isConnectTime' | 'isSimplified'
  >,
): PageTask {
  return PageTaskSchema.parse({ v: PAGE_TASK_VERSION, ...start, page: 1, rowsSoFar: 0, droppedSoFar: 0 });
}
