import { createWorkAnalytics } from '../adapters/work-analytics.js';
import { MAX_PAGE_SIZE } from '../core/page-task.js';
import type { Table } from '../core/tables.js';
import { parseFlags, parseInstant, parseInteger, parsePbx } from './args.js';
import { resolveConnection } from './credentials.js';
import { EXIT_OK, UsageError } from './usage.js';

const HELP = `Usage: walake fetch-page --table call-legs|call-records --from ISO --to ISO [options]

Fetches one page of a report and prints {totalRecordCount, scrollId, rows, data} as JSON.

Options:
  --table T          call-legs or call-records (required)
  --from ISO         interval start, an ISO instant such as 2026-11-27T00:00:00Z (required)
  --to ISO           interval end (required)
  --pbx IDS          comma-separated PBX ids, or allpbxes (default)
  --page-size N      1..${MAX_PAGE_SIZE} (default 100)
  --scroll-id ID     the scrollId of the previous page
  --time-zone ZONE   IANA zone the times are sent in (default UTC)
  --connect-time     call legs only: filter on connect time
  --simplified       call legs only: leave out child legs
  --secret-id ID     read {apiKey, username, password} from this Secrets Manager secret

Example:
  walake fetch-page --table call-records --from 2026-11-27T09:00:00Z --to 2026-11-27T10:00:00Z --page-size 5
`;

export async function fetchPageCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(
    argv,
    {
      table: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      pbx: { type: 'string' },
      'page-size': { type: 'string' },
      'scroll-id': { type: 'string' },
      'time-zone': { type: 'string' },
      'connect-time': { type: 'boolean' },
      simplified: { type: 'boolean' },
      'secret-id': { type: 'string' },
    },
    HELP,
  );
  if (!flags) return EXIT_OK;
  const table = parseTable(flags.table);
  const startMs = parseInstant('from', flags.from);
  const endMs = parseInstant('to', flags.to);
  if (startMs >= endMs) throw new UsageError('--from must be before --to');
  const { client } = createWorkAnalytics(await resolveConnection(flags['secret-id'], process.env));
  const page = await client.fetchPage({
    table,
    pbx: parsePbx(flags.pbx),
    startMs,
    endMs,
    timeZone: flags['time-zone'],
    pageSize: parseInteger('page-size', flags['page-size'], 1, MAX_PAGE_SIZE) ?? 100,
    scrollId: flags['scroll-id'],
    isConnectTime: flags['connect-time'] || undefined,
    isSimplified: flags.simplified || undefined,
  });
  const { data, ...meta } = page;
  process.stdout.write(`${JSON.stringify({ ...meta, rows: data.length, data }, null, 2)}\n`);
  return EXIT_OK;
}

/** `--table call-legs|call-records`. */
export function parseTable(value: string | undefined): Table {
  if (value === 'call-legs' || value === 'call-records') return value;
  throw new UsageError(
    `--table must be call-legs or call-records, got ${value === undefined ? 'nothing' : `"${value}"`}`,
  );
}
