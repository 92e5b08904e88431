import { resolve } from 'node:path';
import { FILTER_FIELDS, type FilterField, MAX_PAGE_SIZE } from '../core/page-task.js';
import { DEFAULT_MAX_RESTARTS } from '../core/process-task.js';
import { DEFAULT_GRID_MINUTES } from '../core/windows.js';
import { parseFlags, parseInstant, parseInteger } from './args.js';
import { resolveConnection } from './credentials.js';
import { runLocal } from './local-run.js';
import { gridMinutesOf, pbxScopeOf, tableChoiceOf, tablesOf } from './ops-args.js';
import { printSummary, progressReporter } from './run-output.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.js';

/** The page size of a run: the API's maximum, since a chain's time is its request count times the latency. */
export const DEFAULT_PAGE_SIZE = MAX_PAGE_SIZE;

const HELP = `Usage: walake run --from ISO --to ISO [options]

Pulls every grid window of [from, to) (expanded outward to whole windows) into a local lake: the same core as
the Lambdas, on a folder and an in-process FIFO queue. Running it again replaces each window whole. A range
reaching past the last window that has ended is cut there (a window still filling is never published).

Exit status: 0 when every window was published and reconciled; 1 when a window failed, did not reconcile
(the ledger's verdict is mismatch), or had rows quarantined; 2 on a usage error.

Options:
  --table T          call-legs, call-records or all (default all)
  --from ISO         start, an ISO instant such as 2026-11-27T00:00:00Z (required)
  --to ISO           end, exclusive (required)
  --pbx IDS          comma-separated PBX ids, or allpbxes (default)
  --page-size N      1..${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})
  --grid-minutes N   window length in minutes, dividing a day (default ${DEFAULT_GRID_MINUTES})
  --concurrency N    chains in parallel, 1..64 (default 4)
  --settle-minutes N a window pulled this long after its end is settled (default 60)
  --connect-time     call legs: windows by connect time instead of disconnect time
  --simplified       call legs: leave out child legs
  --max-restarts N   restarts of a window on refused cursors before it fails, 0..20 (default ${DEFAULT_MAX_RESTARTS})
  --legs-filter-field F     the field /v2/call-legs filters on: ${FILTER_FIELDS['call-legs'].join(' or ')}
                            (default: connectTimeUTC with --connect-time, else disconnectedTimeUTC)
  --records-filter-field F  the field /v2/call-records filters on: ${FILTER_FIELDS['call-records'].join(' or ')}
                            (default disconnectedTimeUTC; walake probe measures it)
  --out DIR          the lake folder (default ./lake-data)
  --secret-id ID     read {apiKey, username, password} from this Secrets Manager secret

Credentials: WA_API_KEY, WA_USERNAME, WA_PASSWORD (or --secret-id); endpoint: WA_BASE_URL.

Example:
  walake run --table call-legs --from 2026-11-27T00:00:00Z --to 2026-11-28T00:00:00Z --out ./lake-data
`;

export async function runCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      table: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      pbx: { type: 'string' },
      'page-size': { type: 'string' },
      'grid-minutes': { type: 'string' },
      concurrency: { type: 'string' },
      'settle-minutes': { type: 'string' },
      'connect-time': { type: 'boolean' },
      simplified: { type: 'boolean' },
      'max-restarts': { type: 'string' },
      'legs-filter-field': { type: 'string' },
      'records-filter-field': { type: 'string' },
      out: { type: 'string' },
      'secret-id': { type: 'string' },
    },
    HELP,
  );
  if (!flags) return EXIT_OK;
  const options = runOptionsOf(flags);
  const connection = await resolveConnection(flags['secret-id'], process.env);
  const summary = await runLocal({ ...options, connection, onProgress: progressReporter(process.stderr) });
  printSummary(process.stdout, summary, options.out);
  const unreconciled = summary.mismatches.length > 0 || summary.quarantined > 0;
  return summary.failed > 0 || unreconciled ? EXIT_FAILURE : EXIT_OK;
}

/** Validates the flags of a run; every problem is a UsageError naming the flag. */
export function runOptionsOf(flags: Record<string, string | boolean | undefined>) {
  const str = (name: string) => flags[name] as string | undefined;
  const fromMs = parseInstant('from', str('from'));
  const toMs = parseInstant('to', str('to'));
  if (fromMs >= toMs) throw new UsageError('--from must be before --to');
  return {
    pbx: pbxScopeOf(str('pbx')) ?? 'allpbxes',
    tables: tablesOf(tableChoiceOf(str('table'), 'all')),
    fromMs,
    toMs,
    pageSize: parseInteger('page-size', str('page-size'), 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
    gridMinutes: gridMinutesOf(str('grid-minutes')),
    concurrency: parseInteger('concurrency', str('concurrency'), 1, 64) ?? 4,
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
