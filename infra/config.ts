import { z } from 'zod';
import { DEFAULT_BASE_URL } from '../functions/adapters/wa-client.js';
import { ALL_PBXES, MAX_PAGE_SIZE, PbxScopeSchema } from '../functions/core/page-task.js';
import { isTable, TABLES, type Table } from '../functions/core/tables.js';
import { assertGridMinutes } from '../functions/core/windows.js';

/**
 * The stack's configuration, from cdk context (`cdk.json` or `-c key=value`), validated once. Values given on
 * the command line arrive as strings, so numbers and lists are accepted in both forms. A bad value fails the
 * synth with an error naming the key, before anything is bundled or deployed.
 */

/** A number from JSON (`5`) or from the command line (`"5"`). */
const numeric = (schema: z.ZodNumber) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value),
    schema,
  );
const whole = (min: number, max: number, fallback: number) =>
  numeric(
    z
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int()
      .min(min)
      .max(max),
  ).default(fallback);

/** A list from JSON (`["a","b"]`) or from the command line (`"a,b"`). */
const list = z.union([
  z.array(z.string()),
  z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ),
]);

const SCHEDULE = /^(rate\(\s*\d+\s+(minute|minutes|hour|hours|day|days)\s*\)|cron\(\s*\S+(\s+\S+){5}\s*\))$/;

const ContextSchema = z
  .object({
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')
      .default('WorkAnalyticsLake'),
    lakeName: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lower-case letters, digits and _ (Glue database name)')
      .default('work_analytics_lake'),
    pbxIds: list.default([ALL_PBXES]).transform((ids, ctx) => {
      if (ids.length === 1 && ids[0] === ALL_PBXES) return ALL_PBXES;
      const scope = PbxScopeSchema.safeParse([...new Set(ids)].sort());
      if (scope.success) return scope.data as string[];
      ctx.addIssue({
        code: 'custom',
        message: `'${ALL_PBXES}' or PBX names: ${scope.error.issues[0]?.message}`,
      });
      return z.NEVER;
    }),
    schedule: z
      .string()
      .trim()
      .regex(SCHEDULE, "must be an EventBridge 'rate(1 hour)' or 'cron(0 * * * ? *)' expression")
      .default('rate(1 hour)'),
    gridMinutes: whole(1, 1440, 60).superRefine((value, ctx) => {
      try {
        assertGridMinutes(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
    settleMinutes: whole(0, 10_080, 120),
    /** Restarts of a window on refused cursors before it is failed. */
    maxRestarts: whole(0, 20, 3),
    /** The field each report filters on, where `walake probe` measured another than the docs' default. */
    legsFilterField: z.enum(['disconnectedTimeUTC', 'connectTimeUTC']).default('disconnectedTimeUTC'),
    recordsFilterField: z.enum(['disconnectedTimeUTC', 'startTimeUTC']).default('disconnectedTimeUTC'),
    pageSize: whole(1, MAX_PAGE_SIZE, MAX_PAGE_SIZE),
    tables: list.default([...TABLES]).transform((tables, ctx) => {
      const bad = tables.filter((t) => !isTable(t));
      if (bad.length > 0 || tables.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must list tables among ${TABLES.join(', ')}; got ${tables}`,
        });
        return z.NEVER;
      }
      return [...new Set(tables)] as Table[];
    }),
    secretName: z
      .string()
      .regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'must be a Secrets Manager secret name')
      .optional(),
    secretArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/,
        'must be the complete ARN of a secret (ending in its 6-character suffix)',
      )
      .optional(),
    alarmEmail: z.email('must be an e-mail address').optional(),
    baseUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }).default(DEFAULT_BASE_URL),
    horizonDays: whole(1, 30, 2),
    staleAfterMinutes: whole(5, 10_080, 120),
    maxRerunDays: whole(1, 366, 31),
    maxConcurrency: whole(2, 1000, 10),
    freshnessHours: whole(1, 24, 3),
    bytesScannedCutoffGb: z
      .union([
        z.number(),
        z
          .string()
          .regex(/^\s*\d+(\.\d+)?\s*$/, 'must be a number')
          .transform(Number),
      ])
      .pipe(z.number().min(0.01, 'must be at least 0.01 (10 MB, the Athena minimum)').max(1_000_000))
      .default(10),
    firstDay: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day YYYY-MM-DD')
      .default('2020-01-01'),
  })
  .superRefine((config, ctx) => {
    if (config.secretName !== undefined && config.secretArn !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretArn'],
        message: 'give secretName or secretArn, not both',
      });
    }
  });

export type LakeConfig = z.infer<typeof ContextSchema>;

/** The context keys the stack reads; everything else in the context (feature flags) is left to the CDK. */
export const CONTEXT_KEYS = Object.keys(ContextSchema.shape) as (keyof LakeConfig)[];

export class LakeConfigError extends Error {
  override readonly name = 'LakeConfigError';
}

/**
 * Validates the stack's context. Absent keys take their defaults.
 * @throws LakeConfigError naming every bad key and how to fix it.
 */
export function parseLakeConfig(context: Readonly<Record<string, unknown>>): LakeConfig {
  const picked = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, context[key]]));
  const parsed = ContextSchema.safeParse(picked);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(context)'}: ${i.message}`);
  throw new LakeConfigError(
    `Invalid cdk context (${problems.join('; ')}); fix it in cdk.json or with -c key=value`,
  );
}

/** The `PBX_IDS` variable of the planner: `allpbxes` or a comma list. */
export function pbxIdsEnv(config: LakeConfig): string {
  return config.pbxIds === ALL_PBXES ? ALL_PBXES : config.pbxIds.join(',');
}
