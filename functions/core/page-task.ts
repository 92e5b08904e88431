import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { TABLES } from './tables.js';
import { parseWindowId, type Window } from './windows.js';
import { describeIssues } from './zod.js';

/**
 * The version of the page-task message; a consumer refuses any other. Version 2 added the chain id: tasks of
 * version 1 still queued at an upgrade are refused, and their windows are pulled again once they go stale.
 */
export const PAGE_TASK_VERSION = 2;
/** Hard ceiling on a chain's page number, whatever the API says (the runaway cap is usually far lower). */
export const MAX_PAGE = 10_000;
/** The API's documented maximum `pageSize`. */
export const MAX_PAGE_SIZE = 7000;
/**
 * Longest scrollId a task may carry. The API's are about 60 characters today, but the docs call the cursor
 * opaque: anything that fits an SQS message (256 KiB) with the rest of the task travels.
 */
export const MAX_SCROLL_ID_LENGTH = 65_536;
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

/** Whether a PBX name is the `allpbxes` word in some spelling: the API would take it as a PBX of that name. */
const isAllPbxesWord = (id: string): boolean => id.toLowerCase() === ALL_PBXES;

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
      // `acmecorp,allpbxes` would be sent as a PBX named allpbxes (rows of none), and `AllPbxes` likewise.
      z.refine((ids) => !ids.some(isAllPbxesWord), {
        error: `${ALL_PBXES} stands alone, in lower case: it cannot be one PBX name among others`,
      }),
    ),
]);

/** A PBX scope: `allpbxes` or a sorted list of PBX names. */
export type PbxScope = z.infer<typeof PbxScopeSchema>;

/**
 * An opaque API cursor: any printable text, bounded. Its format is the API's business (base64 today; a JWT, a
 * UUID or URL-escaped text would do as well); the chain only checks that it moves forward and stays under
 * its page cap.
 */
export const ScrollIdSchema = z.string().check(
  z.minLength(1),
  z.maxLength(MAX_SCROLL_ID_LENGTH),
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  z.regex(/^[^\u0000-\u001f\u007f]+$/, { error: 'must be printable text (no control characters)' }),
);

/** A chain's unique id, minted when it starts: in its tasks, staging keys, page markers and ledger entry. */
export const ChainIdSchema = z
  .string()
  .check(z.regex(/^[a-z0-9]{6,32}$/, { error: 'must be 6 to 32 lower-case letters or digits' }));

/** A new chain id: 12 random base-36 characters (about 62 bits), so two chains never share one. */
export function newChainId(): string {
  return BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(-12);
}

/** The fields each report may filter on, the first being the default the docs imply. */
export const FILTER_FIELDS = {
  'call-legs': ['disconnectedTimeUTC', 'connectTimeUTC'],
  'call-records': ['disconnectedTimeUTC', 'startTimeUTC'],
} as const;

/** A field some report filters on. */
export type FilterField = (typeof FILTER_FIELDS)[keyof typeof FILTER_FIELDS][number];

const count = z._default(z.int().check(z.nonnegative()), 0);

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
    chain: ChainIdSchema,
    page: z.int().check(z.minimum(1), z.maximum(MAX_PAGE)),
    scrollId: z.optional(ScrollIdSchema),
    firstPageTotal: z.optional(z.int().check(z.nonnegative())),
    /**
     * The totalRecordCount of the chain's latest page with rows: a total that changed since the first page
     * (rows ingested while the chain ran, maybe behind its cursor) makes the window a mismatch.
     */
    lastTotal: z.optional(z.int().check(z.nonnegative())),
    /** The most rows one page of the chain held: a server that serves fewer than `pageSize` sets the cap. */
    pageRows: z.optional(z.int().check(z.positive(), z.maximum(MAX_PAGE_SIZE))),
    rowsSoFar: z.int().check(z.nonnegative()),
    droppedSoFar: z.int().check(z.nonnegative()),
    /** Of the dropped rows, those before the window's start (each request starts a second early). */
    beforeSoFar: count,
    /** Rows outside the window that contradict the filter field: kept in quarantine, never in the table. */
    quarantinedSoFar: count,
    /** Rows with a value that did not fit its column (kept, the value in `extra`). */
    mismatchedSoFar: count,
    /**
     * The queue the chain runs on: `live` for the scheduled windows, `backfill` for reruns and backfills,
     * which have a queue and a concurrency of their own so that a long backfill never delays live data.
     */
    lane: z._default(z.enum(['live', 'backfill']), 'live'),
    /** The field the report is believed to filter on (default: the docs' inference, see FILTER_FIELDS). */
    filterField: z.optional(z.enum(['disconnectedTimeUTC', 'connectTimeUTC', 'startTimeUTC'])),
    /**
     * End on the last data page instead of asking for `No Data` (see `endsOnLastDataPage`): set only where
     * `walake probe` measured that the API answers full pages until the last, and the configuration allows it.
     */
    endOnLastDataPage: z.optional(z.boolean()),
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
        if (task.lastTotal !== undefined || task.pageRows !== undefined)
          issue('lastTotal', 'lastTotal and pageRows are only known after page 1');
        const counts = [
          task.rowsSoFar,
          task.droppedSoFar,
          task.beforeSoFar,
          task.quarantinedSoFar,
          task.mismatchedSoFar,
        ];
        if (counts.some((n) => n !== 0)) issue('rowsSoFar', 'counts must be 0 on page 1');
      } else {
        if (task.scrollId === undefined) issue('scrollId', 'is required after page 1');
        if (task.firstPageTotal === undefined) issue('firstPageTotal', 'is required after page 1');
        else if (task.page > chainPageCap(task)) {
          issue(
            'page',
            `is over the chain's cap of ${chainPageCap(task)} pages for its totals and page size`,
          );
        }
      }
      if (task.table === 'call-records' && (task.isConnectTime || task.isSimplified)) {
        issue('isConnectTime', 'isConnectTime and isSimplified apply to call-legs only');
      }
      const fields: readonly string[] = FILTER_FIELDS[task.table];
      if (task.filterField !== undefined && !fields.includes(task.filterField)) {
        issue('filterField', `${task.table} filters on one of ${fields.join(', ')}`);
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

/**
 * The cap of a chain on its way: {@link pageCap} of the larger of its first and latest totals, in pages of
 * the size the server actually serves (the most rows a page held, when fewer than asked: a server that clamps
 * `pageSize` silently needs more pages, and the cap must follow).
 */
export function chainPageCap(
  task: Pick<PageTask, 'pageSize' | 'firstPageTotal' | 'lastTotal' | 'pageRows'>,
): number {
  const total = Math.max(task.firstPageTotal ?? 0, task.lastTotal ?? 0);
  return pageCap(total, Math.min(task.pageSize, task.pageRows ?? task.pageSize));
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
  const why = (keys: readonly string[]) =>
    keys.some((k) => CREDENTIAL_LIKE.test(k)) ? ' (a task must never carry a token or credential)' : '';
  return `page task refused: ${describeIssues(error.issues, why)}`;
}

/** A PBX scope that cannot be read as one: the message says how to write it. */
export class PbxScopeError extends Error {
  override readonly name = 'PbxScopeError';
}

/**
 * The PBX scope a comma list names (`acmecorp,acmecorp2`, `allpbxes`), the one reading every entry point
 * shares (`walake --pbx`, the planner's `PBX_IDS`): blanks and empty items (a trailing comma) are ignored, and
 * `allpbxes` counts only alone and in lower case, since the API would take any other use as a PBX name.
 * @throws PbxScopeError saying what to write instead.
 */
export function pbxScopeOfList(text: string): PbxScope {
  const ids = text
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  if (ids.length === 1 && ids[0] === ALL_PBXES) return ALL_PBXES;
  if (ids.length === 0) throw new PbxScopeError(`no PBX id in "${text}": give PBX names, or ${ALL_PBXES}`);
  const word = ids.find(isAllPbxesWord);
  if (word !== undefined) {
    throw new PbxScopeError(
      ids.length === 1
        ? `"${word}" is not a PBX name: write ${ALL_PBXES} (lower case) for every PBX of the account`
        : `"${text}" mixes ${ALL_PBXES} with PBX names: give either ${ALL_PBXES} alone or PBX names only`,
    );
  }
  const parsed = PbxScopeSchema.safeParse([...new Set(ids)].sort());
  if (!parsed.success) throw new PbxScopeError(`"${text}": ${parsed.error.issues[0]?.message}`);
  return parsed.data;
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
 * The chain's SQS `MessageGroupId`: `<table>.<window id>.<scope>.a<attempt>.<chain>`, e.g.
 * `call-legs.20261127T0100Z-60m.all.a1.k3x9q0w2m1zp`; a PBX list is a 16-hex sha256 tag (`p3f2a…`). Under 100
 * characters of `[A-Za-z0-9.-]`.
 */
export function chainIdOf(task: Pick<PageTask, 'table' | 'window' | 'pbx' | 'attempt' | 'chain'>): string {
  return `${task.table}.${task.window}.${scopeTag(task.pbx)}.a${task.attempt}.${task.chain}`;
}

/** The field a task's rows are filtered on: its own, else the table's default (legs: by `isConnectTime`). */
export function filterFieldOf(task: Pick<PageTask, 'table' | 'filterField' | 'isConnectTime'>): FilterField {
  if (task.filterField) return task.filterField;
  if (task.table === 'call-legs' && task.isConnectTime) return 'connectTimeUTC';
  return 'disconnectedTimeUTC';
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
    'table' | 'window' | 'pbx' | 'attempt' | 'chain' | 'pageSize' | 'isConnectTime' | 'isSimplified'
  > &
    Partial<Pick<PageTask, 'filterField' | 'lane' | 'endOnLastDataPage'>>,
): PageTask {
  return PageTaskSchema.parse({ v: PAGE_TASK_VERSION, ...start, page: 1, rowsSoFar: 0, droppedSoFar: 0 });
}
