import { z } from 'zod';
import { DEFAULT_BASE_URL } from '../functions/adapters/wa-client.js';
import { didYouMean } from '../functions/core/did-you-mean.js';
import { messageOf } from '../functions/core/errors.js';
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

/** The minutes of one unit of an EventBridge `rate(…)`: singular for 1, plural otherwise. */
const RATE_UNITS: Record<string, number> = { minute: 1, hour: 60, day: 1440 };
/** Characters each of the six cron fields may hold (EventBridge cron: minutes hours day month weekday year). */
const CRON_FIELDS: [string, RegExp][] = [
  ['minutes', /^[0-9,*/-]+$/],
  ['hours', /^[0-9,*/-]+$/],
  ['day-of-month', /^(\?|[0-9,*/LW-]+)$/],
  ['month', /^[0-9A-Za-z,*/-]+$/],
  ['day-of-week', /^(\?|[0-9A-Za-z,*/L#-]+)$/],
  ['year', /^[0-9,*/-]+$/],
];

/**
 * What EventBridge would refuse in a schedule expression, checked at synth instead of at deploy: a rate's
 * value is a positive whole number with a singular unit for 1 (`rate(1 hour)`) and a plural one otherwise
 * (`rate(2 hours)`); a cron has six fields, and exactly one of day-of-month and day-of-week is `?`.
 * @returns the problem, or undefined for a valid expression.
 */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((\d+) ([a-z]+)\)$/.exec(expression);
  if (rate) {
    const [, value = '', unit = ''] = rate;
    const count = Number(value);
    if (!/^[1-9]\d*$/.test(value)) return `a rate's value must be a whole number of 1 or more, not ${value}`;
    const singular = unit.replace(/s$/, '');
    if (RATE_UNITS[singular] === undefined)
      return `a rate's unit is minute(s), hour(s) or day(s), not ${unit}`;
    const expected = count === 1 ? singular : `${singular}s`;
    if (unit !== expected) return `write rate(${count} ${expected}), not rate(${count} ${unit})`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return "must be an EventBridge 'rate(1 hour)' or 'cron(0 * * * ? *)' expression";
  const fields = (cron[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6)
    return `a cron has 6 fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`;
  for (const [i, [name, pattern]] of CRON_FIELDS.entries()) {
    if (!pattern.test(fields[i] ?? '')) return `the cron's ${name} field '${fields[i]}' is not valid`;
  }
  if ((fields[2] === '?') === (fields[4] === '?'))
    return "exactly one of the cron's day-of-month and day-of-week fields must be '?' (e.g. cron(0 * * * ? *))";
  return undefined;
}

/**
 * The planner's default schedule: one tick per grid period, at the grid's own boundaries where a cron can say
 * them (a grid that divides an hour: `cron(0/15 * * * ? *)`; whole hours that divide a day: `cron(0 0/2 * *
 * ? *)`), and `rate(N minutes)` otherwise (a 90-minute grid), which ticks once a period but not on the grid.
 * A window is pulled at the first tick after its end, so it is at most one grid period plus the pull late.
 */
export function gridSchedule(gridMinutes: number): string {
  if (gridMinutes === 1440) return 'cron(0 0 * * ? *)';
  if (60 % gridMinutes === 0)
    return gridMinutes === 60 ? 'cron(0 * * * ? *)' : `cron(0/${gridMinutes} * * * ? *)`;
  if (gridMinutes % 60 === 0 && 1440 % gridMinutes === 0) return `cron(0 0/${gridMinutes / 60} * * ? *)`;
  return `rate(${gridMinutes} minutes)`;
}

/** The minutes between two runs of a `rate(…)` schedule; undefined for a cron, whose spacing may vary. */
export function scheduleMinutes(expression: string): number | undefined {
  const rate = /^rate\((\d+) ([a-z]+?)s?\)$/.exec(expression);
  const unit = RATE_UNITS[rate?.[2] ?? ''];
  return rate && unit !== undefined ? Number(rate[1]) * unit : undefined;
}

const GLUE_NAME = /^[a-z][a-z0-9_]{0,127}$/;

/** The default lake name of a stack: `WorkAnalyticsLake-Dev` -> `work_analytics_lake_dev`. */
export function lakeNameOf(stackName: string): string {
  return stackName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-+/g, '_')
    .toLowerCase();
}

/** A boolean context value: true or false, as JSON or as the text `-c key=true` passes. */
const flag = z
  .union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' })
  .default(false)
  .transform((value) => value === true || value === 'true');

const ContextObject = z.object({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a CloudFormation stack name')
    .default('WorkAnalyticsLake'),
  /** The Glue database and Athena workgroup; by default derived from `stackName`. */
  lakeName: z
    .string()
    .regex(GLUE_NAME, 'must be lower-case letters, digits and _ (Glue database name), at most 128')
    .optional(),
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
  /** The planner's EventBridge Scheduler expression; by default one tick per grid period ({@link gridSchedule}). */
  schedule: z
    .string()
    .trim()
    .optional()
    .superRefine((value, ctx) => {
      const problem = value === undefined ? undefined : scheduleProblem(value);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
  gridMinutes: whole(1, 1440, 60).superRefine((value, ctx) => {
    try {
      assertGridMinutes(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: messageOf(error) });
    }
  }),
  settleMinutes: whole(0, 10_080, 120),
  /** Restarts of a window on refused cursors before it is failed. */
  maxRestarts: whole(0, 20, 3),
  /** Call legs by connect time instead of disconnect time (the API's `isConnectTime`). */
  isConnectTime: flag,
  /** Call legs without their child legs (the API's `isSimplified`). */
  isSimplified: flag,
  /**
   * End a chain on its last data page where `walake probe` recorded full pages until the last in the lake's
   * manifest; false: always ask for `No Data`.
   */
  endOnLastDataPage: flag.default(true),
  /**
   * Each lane's event source concurrency follows the 8x8 API's answers, between 2 and its cap (the concurrency
   * governor); false: the caps, fixed.
   */
  adaptiveConcurrency: flag.default(true),
  /** A CloudWatch dashboard of the pipeline (free for an account's first 3 dashboards, then $3 a month). */
  dashboard: flag.default(true),
  /** The most chains one planner run may start: a bound on what a mistake can queue. */
  maxChainsPerRun: whole(1, 100_000, 2000),
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
  /** The customer-managed KMS key of an imported secret: the functions may decrypt with it. */
  secretKmsKeyArn: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$/,
      'must be the ARN of a KMS key (arn:aws:kms:<region>:<account>:key/<key id>), not an alias',
    )
    .optional(),
  alarmEmail: z.email('must be an e-mail address').optional(),
  baseUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }).default(DEFAULT_BASE_URL),
  horizonDays: whole(1, 30, 2),
  staleAfterMinutes: whole(5, 10_080, 120),
  maxRerunDays: whole(1, 366, 31),
  maxConcurrency: whole(2, 1000, 10),
  /** Worker invocations at once on the backfill lane (reruns, backfills), apart from the live lane's. */
  backfillConcurrency: whole(2, 1000, 5),
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
  /**
   * The first `dt` of the tables' partition projection; by default the stack decides it when it is created:
   * the first day the API still served then (constructs/first-day.ts), after which it never moves.
   */
  firstDay: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day YYYY-MM-DD')
    .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'must be a day of the calendar')
    .optional(),
  /** The worker's reserved concurrency: a floor the rest of the account cannot take, and a ceiling. */
  reservedConcurrency: numeric(
    z.number({ error: 'must be a whole number from 4 to 10000' }).int().min(4).max(10_000),
  ).optional(),
  /** Retried 8x8 requests (429, 5xx, timeouts) in an hour above which the ApiRetries alarm fires. */
  apiRetriesPerHour: whole(1, 1_000_000, 100),
  /** What `cdk destroy` does with the alarm topic's KMS key: schedule its deletion (7 days) or keep it. */
  alarmKeyRemovalPolicy: z.enum(['destroy', 'retain']).default('destroy'),
  /**
   * The call data's encryption at rest: `sse-s3` (S3-managed keys), or `sse-kms`: a customer-managed key of
   * the stack (rotated yearly, kept by `cdk destroy` like the bucket) for the data and the Athena results.
   */
  dataEncryption: z.enum(['sse-s3', 'sse-kms']).default('sse-s3'),
});

const ContextSchema = ContextObject.superRefine((config, ctx) => {
  if (config.secretName !== undefined && config.secretArn !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['secretArn'], message: 'give secretName or secretArn, not both' });
  }
  if (
    config.secretKmsKeyArn !== undefined &&
    config.secretName === undefined &&
    config.secretArn === undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['secretKmsKeyArn'],
      message: 'is for an imported secret: give secretName or secretArn too (a created secret needs no key)',
    });
  }
  if (
    config.reservedConcurrency !== undefined &&
    config.reservedConcurrency < config.maxConcurrency + config.backfillConcurrency
  ) {
    // Below the two event sources' caps, Lambda throttles polled batches: they return to the queue and each
    // return counts as a receive, so a busy hour could dead-letter healthy page tasks.
    ctx.addIssue({
      code: 'custom',
      path: ['reservedConcurrency'],
      message: `must be at least maxConcurrency + backfillConcurrency (${config.maxConcurrency + config.backfillConcurrency}): fewer throttles the queues' batches back into them, towards the DLQs`,
    });
  }
  if (config.lakeName === undefined && !GLUE_NAME.test(lakeNameOf(config.stackName))) {
    ctx.addIssue({
      code: 'custom',
      path: ['lakeName'],
      message: `the name derived from stackName (${lakeNameOf(config.stackName)}) is not a Glue database name: set lakeName`,
    });
  }
}).transform((config) => ({
  ...config,
  lakeName: config.lakeName ?? lakeNameOf(config.stackName),
  schedule: config.schedule ?? gridSchedule(config.gridMinutes),
}));

export type LakeConfig = z.infer<typeof ContextSchema>;

/** The context keys the stack reads; everything else in the context (feature flags) is left to the CDK. */
export const CONTEXT_KEYS = Object.keys(ContextObject.shape) as (keyof LakeConfig)[];

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

/**
 * The names the handlers' metrics and logs carry: the namespace is the stack's name and the service its
 * kebab-case form, so that two stacks in one account and region never mix their metrics or alarms. The
 * defaults (`WorkAnalyticsLake`, `work-analytics-lake`) are the handlers' own fallbacks.
 */
export function metricsIdentity(config: Pick<LakeConfig, 'stackName'>): {
  namespace: string;
  service: string;
} {
  return { namespace: config.stackName, service: lakeNameOf(config.stackName).replace(/_/g, '-') };
}

/**
 * The log group of each function: named from the stack, so that `aws logs tail /WorkAnalyticsLake/worker` is
 * exact, and two stacks in one account never share one.
 */
export function logGroupNameOf(
  config: Pick<LakeConfig, 'stackName'>,
  fn: 'planner' | 'worker' | 'governor',
): string {
  return `/${config.stackName}/${fn}`;
}

/** The `PBX_IDS` variable of the planner: `allpbxes` or a comma list. */
export function pbxIdsEnv(config: LakeConfig): string {
  return config.pbxIds === ALL_PBXES ? ALL_PBXES : config.pbxIds.join(',');
}

/**
 * Refuses a context key the stack does not know (`-c pbxId=acmecorp` would otherwise pull every PBX), naming
 * the nearest known key. Keys of the CDK and its feature flags (`aws:cdk:…`, `@aws-cdk/…`, cached lookups with
 * a `:`) are not the stack's and pass.
 * @throws LakeConfigError naming every unknown key.
 */
export function assertKnownContextKeys(context: Readonly<Record<string, unknown>>): void {
  const known = CONTEXT_KEYS as readonly string[];
  const unknown = Object.keys(context).filter(
    (key) => !key.startsWith('@') && !key.includes(':') && !known.includes(key),
  );
  if (unknown.length === 0) return;
  const named = unknown.map((key) => `"${key}".${didYouMean(key, known)}`).join(' ');
  throw new LakeConfigError(
    `Unknown cdk context key ${named} Known keys: ${known.join(', ')}; fix it in cdk.json or with -c key=value`,
  );
}

/**
 * The settings given on the command line only (`-c key=value`) that differ from what `cdk.json` keeps: a later
 * `cdk deploy` without them goes back to the file's value or the default, which undoes a setting silently.
 */
export function commandLineOnly(
  context: Readonly<Record<string, unknown>>,
  kept: Readonly<Record<string, unknown>>,
): string[] {
  return (CONTEXT_KEYS as readonly string[]).filter(
    (key) => context[key] !== undefined && JSON.stringify(context[key]) !== JSON.stringify(kept[key]),
  );
}

/** The warning for {@link commandLineOnly}'s keys, or undefined when there are none. */
export function commandLineWarning(keys: readonly string[]): string | undefined {
  if (keys.length === 0) return undefined;
  return (
    `note: ${keys.join(', ')} ${keys.length === 1 ? 'was' : 'were'} set with -c only: the next cdk deploy without ` +
    `${keys.length === 1 ? 'it' : 'them'} goes back to cdk.json's value or the default. Keep ${keys.length === 1 ? 'it' : 'them'} ` +
    'in the "context" of cdk.json (README, Configuration).'
  );
}
