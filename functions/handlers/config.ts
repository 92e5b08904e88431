import { z } from 'zod';
import { DEFAULT_BASE_URL } from '../adapters/wa-client.js';
import { MAX_PAGE_SIZE, pbxScope } from '../core/page-task.js';
import { TABLES } from '../core/tables.js';
import { assertGridMinutes } from '../core/windows.js';

/**
 * The Lambdas' configuration, from their environment (set by the stack), parsed once per container. A missing
 * or bad variable is named in the error, so a misconfigured deployment fails on its first invocation, clearly.
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const common = {
  DATA_BUCKET: z.string().min(3),
  PAGE_QUEUE_URL: z.url(),
  SECRET_ID: z.string().min(1),
  WA_BASE_URL: z.url().default(DEFAULT_BASE_URL),
  SETTLE_MINUTES: int(0, 10_080).default(120),
};

export const WorkerConfigSchema = z.object(common);

export const PlannerConfigSchema = z.object({
  ...common,
  TABLES: z
    .string()
    .default(TABLES.join(','))
    .transform((value, ctx) => {
      const tables = value.split(',').map((t) => t.trim());
      const bad = tables.filter((t) => !(TABLES as readonly string[]).includes(t));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `unknown table ${bad.join(', ')}` });
      return tables as (typeof TABLES)[number][];
    }),
  PBX_IDS: z
    .string()
    .default('allpbxes')
    .transform((value) =>
      pbxScope(value === 'allpbxes' ? 'allpbxes' : value.split(',').map((id) => id.trim())),
    ),
  GRID_MINUTES: int(1, 1440)
    .default(60)
    .superRefine((value, ctx) => {
      try {
        assertGridMinutes(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  PAGE_SIZE: int(1, MAX_PAGE_SIZE).default(MAX_PAGE_SIZE),
  HORIZON_DAYS: int(1, 30).default(2),
  STALE_AFTER_MINUTES: int(5, 10_080).default(120),
  MAX_RERUN_DAYS: int(1, 366).default(31),
  MAX_CHAINS_PER_RUN: int(1, 100_000).default(2000),
  IS_CONNECT_TIME: z.stringbool().default(false),
  IS_SIMPLIFIED: z.stringbool().default(false),
});

export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;
export type PlannerConfig = z.infer<typeof PlannerConfigSchema>;

/** Parses a configuration from the environment; the error names every bad variable. */
export function parseConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
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
} as const;
