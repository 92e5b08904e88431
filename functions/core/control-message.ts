import * as z from 'zod/mini';
import { PbxScopeSchema } from './page-task.js';
import { TABLES, type Table } from './tables.js';
import { describeIssues } from './zod.js';

const DAY_MS = 86_400_000;
/** The API serves the last two years only; a rerun older than that would publish empty windows over data. */
export const API_RETENTION_MS = 730 * DAY_MS;

/**
 * The control-queue message that asks the planner to pull a range again, with a new attempt for each window:
 * `{"v":1,"kind":"rerun","table":"call-legs","from":"2026-11-27T00:00:00Z","to":"2026-11-28T00:00:00Z"}`.
 * Strict: unknown fields are refused. The CLI's `walake rerun` builds it with the same schema.
 */
export const ControlMessageSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('rerun'),
  table: z.enum([...TABLES, 'all']),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  pbx: z.optional(PbxScopeSchema),
});

export type ControlMessage = z.infer<typeof ControlMessageSchema>;

/** A validated rerun: the tables and the range in epoch ms. */
export interface Rerun {
  tables: Table[];
  fromMs: number;
  toMs: number;
  pbx?: ControlMessage['pbx'];
}

export type ControlResult = { ok: true; rerun: Rerun } | { ok: false; error: string };

/**
 * Validates a control message (SQS body text or parsed JSON) against the schema and the planner's bounds: from
 * before to, a range of at most `maxRangeDays`, nothing older than the API's two years. The error names the
 * field and what to send instead.
 */
export function parseControlMessage(body: unknown, nowMs: number, maxRangeDays: number): ControlResult {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { ok: false, error: 'control message refused: the body is not JSON' };
    }
  }
  const parsed = ControlMessageSchema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, error: `control message refused: ${describeIssues(parsed.error.issues)}` };
  }
  const { table, from, to, pbx } = parsed.data;
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const refuse = (error: string): ControlResult => ({
    ok: false,
    error: `control message refused: ${error}`,
  });
  if (fromMs >= toMs) return refuse(`from (${from}) must be before to (${to})`);
  if (toMs - fromMs > maxRangeDays * DAY_MS) {
    return refuse(
      `the range is over ${maxRangeDays} days: split it (walake backfill does) or raise maxRerunDays`,
    );
  }
  if (fromMs < nowMs - API_RETENTION_MS) {
    return refuse(`from (${from}) is older than the API's two years of data: nothing there can be pulled`);
  }
  if (fromMs > nowMs) return refuse(`from (${from}) is in the future`);
  const tables = table === 'all' ? [...TABLES] : [table];
  return { ok: true, rerun: { tables, fromMs, toMs, ...(pbx === undefined ? {} : { pbx }) } };
}
