import * as z from 'zod/mini';
import { DEFAULT_BASE_URL } from '../adapters/wa-client.js';
import { messageOf } from '../core/errors.js';
import { FILTER_FIELDS, MAX_PAGE_SIZE, pbxScopeOfList } from '../core/page-task.js';
import { DEFAULT_MAX_RESTARTS } from '../core/process-task.js';
import { TABLES, type Table } from '../core/tables.js';
import { assertGridMinutes } from '../core/windows.js';
import { describeIssues } from '../core/zod.js';

/**
 * The Lambdas' configuration, from their environment (set by the stack), parsed once per container. A missing
 * or bad variable is named in the error, so a misconfigured deployment fails on its first invocation, clearly.
 */
const int = (min: number, max: number, fallback: number) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.minimum(min), z.maximum(max))), fallback);

/** A value turned into another, or an issue naming what is wrong with it. */
function convert<T>(fallback: string, fn: (value: string) => T) {
  return z.pipe(
    z._default(z.string(), fallback),
    z.transform((value: string, ctx) => {
      try {
        return fn(value);
      } catch (error) {
        ctx.issues.push({ code: 'custom', message: messageOf(error), input: value });
        return z.NEVER;
      }
    }),
  );
}

const common = {
  DATA_BUCKET: z.string().check(z.minLength(3)),
  PAGE_QUEUE_URL: z.url(),
  /** The backfill lane's page queue (reruns and backfills); without it they share the live queue. */
  BACKFILL_QUEUE_URL: z.optional(z.url()),
  SECRET_ID: z.string().check(z.minLength(1)),
  WA_BASE_URL: z._default(z.url(), DEFAULT_BASE_URL),
  SETTLE_MINUTES: int(0, 10_080, 120),
};

export const WorkerConfigSchema = z.object({
  ...common,
  MAX_RESTARTS: int(0, 20, DEFAULT_MAX_RESTARTS),
  /** The page queue's maxReceiveCount: on that delivery a failing task fails its window. */
  MAX_RECEIVES: int(1, 1000, 5),
});

export const PlannerConfigSchema = z.object({
  ...common,
  TABLES: convert(TABLES.join(','), (value) => {
    const tables = value.split(',').map((t) => t.trim());
    const bad = tables.filter((t) => !(TABLES as readonly string[]).includes(t));
    if (bad.length) throw new Error(`unknown table ${bad.join(', ')}`);
    return tables as Table[];
  }),
  PBX_IDS: convert('allpbxes', pbxScopeOfList),
  GRID_MINUTES: z.pipe(
    int(1, 1440, 60),
    z.transform((value: number, ctx) => {
      try {
        assertGridMinutes(value);
      } catch (error) {
        ctx.issues.push({ code: 'custom', message: messageOf(error), input: value });
      }
      return value;
    }),
  ),
  PAGE_SIZE: int(1, MAX_PAGE_SIZE, MAX_PAGE_SIZE),
  HORIZON_DAYS: int(1, 30, 2),
  STALE_AFTER_MINUTES: int(5, 10_080, 120),
  MAX_RERUN_DAYS: int(1, 366, 31),
  MAX_CHAINS_PER_RUN: int(1, 100_000, 2000),
  IS_CONNECT_TIME: z._default(z.stringbool(), false),
  IS_SIMPLIFIED: z._default(z.stringbool(), false),
  /** false: chains always ask for `No Data`, whatever `walake probe` recorded in the manifest. */
  END_ON_LAST_DATA_PAGE: z._default(z.stringbool(), true),
  LEGS_FILTER_FIELD: z._default(z.enum(FILTER_FIELDS['call-legs']), 'disconnectedTimeUTC'),
  RECORDS_FILTER_FIELD: z._default(z.enum(FILTER_FIELDS['call-records']), 'disconnectedTimeUTC'),
  /** The first day the Athena tables project (`YYYY-MM-DD`): a rerun before it would land where no query looks. */
  FIRST_DAY: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/))),
});

/** The concurrency governor's: the two lanes' event sources and queues, their caps, and the metric to read. */
export const GovernorConfigSchema = z.object({
  LIVE_MAPPING_ID: z.string().check(z.minLength(1)),
  BACKFILL_MAPPING_ID: z.string().check(z.minLength(1)),
  PAGE_QUEUE_URL: z.url(),
  BACKFILL_QUEUE_URL: z.url(),
  MAX_CONCURRENCY: int(2, 1000, 10),
  BACKFILL_CONCURRENCY: int(2, 1000, 5),
  /** false: the governor only keeps each lane at its cap (the stack's `adaptiveConcurrency` context key). */
  ADAPTIVE_CONCURRENCY: z._default(z.stringbool(), true),
  POWERTOOLS_SERVICE_NAME: z._default(z.string().check(z.minLength(1)), 'work-analytics-lake'),
  POWERTOOLS_METRICS_NAMESPACE: z._default(z.string().check(z.minLength(1)), 'WorkAnalyticsLake'),
});

export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;
export type PlannerConfig = z.infer<typeof PlannerConfigSchema>;

/** Parses a configuration from the environment; the error names every bad variable. */
export function parseConfig<T extends z.core.$ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = z.safeParse(schema, env);
  if (parsed.success) return parsed.data;
  const problems = describeIssues(parsed.error.issues);
  throw new Error(`Lambda configuration refused (${problems}); check the stack's environment variables`);
}

/** Metric names the handlers emit and the stack's alarms watch (namespace and service set by the stack). */
export const METRICS = {
  pagesFetched: 'PagesFetched',
  rowsStaged: 'RowsStaged',
  apiRetries: 'ApiRetries',
  driftFields: 'DriftFields',
  reconciliationMismatches: 'ReconciliationMismatches',
  windowsPublished: 'WindowsPublished',
  chainsRestarted: 'ChainsRestarted',
  chainsStarted: 'ChainsStarted',
  credentialsRejected: 'CredentialsRejected',
  messagesRejected: 'MessagesRejected',
  windowsFailed: 'WindowsFailed',
  rowsQuarantined: 'RowsQuarantined',
  typeMismatches: 'TypeMismatches',
  recordsFailed: 'RecordsFailed',
  windowsEndedEarly: 'WindowsEndedEarly',
  earlyEndsRevised: 'EarlyEndsRevised',
} as const;
