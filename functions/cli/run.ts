import { resolve } from 'node:path';
import { FILTER_FIELDS, type FilterField, MAX_PAGE_SIZE } from '../core/page-task.js';
import { DEFAULT_MAX_RESTARTS } from '../core/process-task.js';
import { DEFAULT_GRID_MINUTES } from '../core/windows.js';
import { parseInteger } from './args.js';
import {
  type CliIo,
  type CommandSpec,
  type FlagSpec,
  type FlagSpecs,
  type FlagValues,
  parseCommand,
  processIo,
} from './command.js';
import { resolveConnection } from './credentials.js';
import { type RunSummary, runLocal } from './local-run.js';
import { gridMinutesOf, pbxScopeOf, RANGE_FLAGS, rangeOf, tableChoiceOf, tablesOf } from './ops-args.js';
import { printSummary, progressReporter } from './run-output.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.js';

/** The page size of a run: the API's maximum, since a chain's time is its request count times the latency. */
export const DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE;

/** The flags of `walake run`, declared once: `walake demo` takes its defaults from them too. */
export const RUN_FLAGS = {
  table: { type: 'string', value: 'T', description: 'call-legs, call-records or all', default: 'all' },
  ...RANGE_FLAGS,
  pbx: {
    type: 'string',
    value: 'IDS',
    description: 'comma-separated PBX ids, or allpbxes',
    default: 'allpbxes',
  },
  'page-size': {
    type: 'string',
    value: 'N',
    description: `rows per API page, 1..${MAX_PAGE_SIZE}`,
    default: String(DEFAULT_PAGE_SIZE),
  },
  'grid-minutes': {
    type: 'string',
    value: 'N',
    description: 'window length in minutes, dividing a day',
    default: String(DEFAULT_GRID_MINUTES),
  },
  concurrency: {
    type: 'string',
    value: 'N',
    description:
      'the most chains in parallel, 1..64: the run starts at half, rises while the API answers fast, halves on 429/5xx',
    default: '8',
  },
  'fixed-concurrency': { type: 'boolean', description: 'keep --concurrency chains in flight, never adapt' },
  'no-early-end': {
    type: 'boolean',
    description:
      'always ask for "No Data", even where walake probe recorded full pages until the last in the lake',
  },
  'settle-minutes': {
    type: 'string',
    value: 'N',
    description: 'a window pulled this long after its end is settled',
    default: '60',
  },
  'connect-time': {
    type: 'boolean',
    description: 'call legs: windows by connect time instead of disconnect time',
  },
  simplified: { type: 'boolean', description: 'call legs: leave out child legs' },
  'max-restarts': {
    type: 'string',
    value: 'N',
    description: 'restarts of a window on refused cursors before it fails, 0..20',
    default: String(DEFAULT_MAX_RESTARTS),
  },
  'legs-filter-field': {
    type: 'string',
    value: 'F',
    description: `the field /v2/call-legs filters on: ${FILTER_FIELDS['call-legs'].join(' or ')}; by default the one --connect-time asks for`,
  },
  'records-filter-field': {
    type: 'string',
    value: 'F',
    description: `the field /v2/call-records filters on, as walake probe measures it: ${FILTER_FIELDS['call-records'].join(' or ')}`,
    default: 'disconnectedTimeUTC',
  },
  out: { type: 'string', value: 'DIR', description: 'the lake folder', default: 'lake-data' },
  'secret-id': {
    type: 'string',
    value: 'ID',
    description: 'read {apiKey, username, password} from this Secrets Manager secret',
  },
} as const satisfies FlagSpecs;

/** `walake run`'s own flags beside the run's settings (which `walake demo` shares). */
const RUN_COMMAND_FLAGS = {
  ...RUN_FLAGS,
  json: {
    type: 'boolean',
    description: 'print the run summary as one JSON object on stdout (progress stays on stderr)',
  },
} as const satisfies FlagSpecs;

const RUN: CommandSpec<typeof RUN_COMMAND_FLAGS> = {
  usage: 'walake run --from ISO --to ISO [options]',
  about: `Pulls every grid window of [from, to) (expanded outward to whole windows) into a local lake: the same core as
the Lambdas, on a folder and an in-process FIFO queue. Running it again replaces each window whole. A range
reaching past the last window that has ended is cut there (a window still filling is never published).`,
  flags: RUN_COMMAND_FLAGS,
  notes: `Exit status: 0 when this run published every window and each reconciled; 1 when a window failed, did not
reconcile (the ledger's verdict is mismatch), had rows quarantined, or was taken over by another run or rerun
(not published by this one); 2 on a usage error.

Credentials: WA_API_KEY, WA_USERNAME, WA_PASSWORD (or --secret-id); endpoint: WA_BASE_URL.`,
  example:
    'walake run --table call-legs --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z --out ./lake-data',
};

export async function runCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, RUN, io);
  if (!parsed) return EXIT_OK;
  const flags = parsed.values;
  const options = runOptionsOf(flags);
  const connection = await resolveConnection(flags['secret-id'], io.env);
  const summary = await runLocal({
    ...options,
    connection,
    onProgress: progressReporter(io.stderr, io.now),
  });
  const code = runExitCode(summary);
  if (flags.json) io.stdout.write(`${JSON.stringify(runSummaryJson(summary, options.out, code))}\n`);
  else printSummary(io.stdout, summary, options.out);
  return code;
}

/**
 * The run's summary for scripts (as dlt's load info): what was asked, what landed, what went wrong, and the exit
 * code the run ends with. Instants are ISO strings; `v` versions the shape.
 */
export function runSummaryJson(summary: RunSummary, out: string, exitCode: number) {
  const { last: _last, cutAtMs, ...rest } = summary;
  return {
    v: 1,
    ok: exitCode === EXIT_OK,
    exitCode,
    lake: out,
    ...rest,
    ...(cutAtMs !== undefined ? { cutAt: new Date(cutAtMs).toISOString() } : {}),
  };
}

/**
 * 0 only when this run published every one of its windows itself and each reconciled; 1 when a window failed,
 * did not reconcile, had rows quarantined, or was not published by this run (another chain took it over).
 */
export function runExitCode(
  summary: Pick<RunSummary, 'windows' | 'published' | 'failed' | 'mismatches' | 'quarantined'>,
): number {
  const unreconciled = summary.mismatches.length > 0 || summary.quarantined > 0;
  const unpublished = summary.published < summary.windows;
  return summary.failed > 0 || unreconciled || unpublished ? EXIT_FAILURE : EXIT_OK;
}

/** Validates the flags of a run; every problem is a UsageError naming the flag. */
export function runOptionsOf(flags: Partial<FlagValues<typeof RUN_FLAGS>>) {
  const str = (
    name: Exclude<
      keyof typeof RUN_FLAGS,
      'connect-time' | 'simplified' | 'fixed-concurrency' | 'no-early-end'
    >,
  ) => flags[name] ?? (RUN_FLAGS[name] as FlagSpec).default;
  const { fromMs, toMs } = rangeOf(flags);
  return {
    pbx: pbxScopeOf(str('pbx')) ?? 'allpbxes',
    tables: tablesOf(tableChoiceOf(str('table'), 'all')),
    fromMs,
    toMs,
    pageSize: parseInteger('page-size', str('page-size'), 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
    gridMinutes: gridMinutesOf(str('grid-minutes')),
    concurrency: parseInteger('concurrency', str('concurrency'), 1, 64) ?? 8,
    fixedConcurrency: flags['fixed-concurrency'] === true,
    endOnLastDataPage: flags['no-early-end'] !== true,
    settleMinutes: parseInteger('settle-minutes', str('settle-minutes'), 0, 10_080) ?? 60,
    isConnectTime: flags['connect-time'] === true,
    isSimplified: flags.simplified === true,
    maxRestarts: parseInteger('max-restarts', str('max-restarts'), 0, 20) ?? DEFAULT_MAX_RESTARTS,
    filterFields: {
      ...filterFieldOf(
        'legs-filter-field',
        str('legs-filter-field'),
        FILTER_FIELDS['call-legs'],
        'call-legs',
      ),
      ...filterFieldOf(
        'records-filter-field',
        str('records-filter-field'),
        FILTER_FIELDS['call-records'],
        'call-records',
      ),
    },
    out: resolve(str('out') ?? 'lake-data'),
  };
}

function filterFieldOf(
  flag: string,
  value: string | undefined,
  allowed: readonly FilterField[],
  table: 'call-legs' | 'call-records',
): Partial<Record<'call-legs' | 'call-records', FilterField>> {
  if (value === undefined) return {};
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be ${allowed.join(' or ')}; got "${value}"`);
  }
  return { [table]: value as FilterField };
}
