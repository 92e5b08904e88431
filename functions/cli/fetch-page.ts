import { createWorkAnalytics } from '../adapters/work-analytics.js';
import { MAX_PAGE_SIZE } from '../core/page-task.js';
import { parseInstant, parseInteger, parsePbx } from './args.js';
import { type CliIo, type CommandSpec, type FlagSpecs, parseCommand, processIo } from './command.js';
import { resolveConnection } from './credentials.js';
import { oneTableOf } from './ops-args.js';
import { EXIT_OK, UsageError } from './usage.js';

const FETCH_PAGE_COMMAND = {
  usage: `walake fetch-page --table call-legs|call-records --from ISO --to ISO [options]`,
  about: `Fetches one page of a report and prints {totalRecordCount, scrollId, rows, data} as JSON.`,
  flags: {
    table: { type: 'string', value: 'T', description: `call-legs or call-records (required)` },
    from: {
      type: 'string',
      value: 'ISO',
      description: `interval start, an ISO instant such as 2026-11-27T00:00:00Z (required)`,
    },
    to: { type: 'string', value: 'ISO', description: `interval end (required)` },
    pbx: { type: 'string', value: 'IDS', description: `comma-separated PBX ids, or allpbxes (default)` },
    'page-size': { type: 'string', value: 'N', description: `1..${MAX_PAGE_SIZE} (default 100)` },
    'scroll-id': { type: 'string', value: 'ID', description: `the scrollId of the previous page` },
    'time-zone': {
      type: 'string',
      value: 'ZONE',
      description: `IANA zone the times are sent in (default UTC)`,
    },
    'connect-time': { type: 'boolean', description: `call legs only: filter on connect time` },
    simplified: { type: 'boolean', description: `call legs only: leave out child legs` },
    'secret-id': {
      type: 'string',
      value: 'ID',
      description: `read {apiKey, username, password} from this Secrets Manager secret`,
    },
  },
  example: `walake fetch-page --table call-records --from 2026-11-27T09:00:00Z --to 2026-11-27T10:00:00Z --page-size 5`,
} as const satisfies CommandSpec<FlagSpecs>;

export async function fetchPageCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, FETCH_PAGE_COMMAND, io);
  if (!parsed) return EXIT_OK;
  const flags = parsed.values;
  const table = oneTableOf(flags.table);
  const startMs = parseInstant('from', flags.from);
  const endMs = parseInstant('to', flags.to);
  if (startMs >= endMs) throw new UsageError('--from must be before --to');
  const { client } = createWorkAnalytics(await resolveConnection(flags['secret-id'], io.env));
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
  io.stdout.write(`${JSON.stringify({ ...meta, rows: data.length, data }, null, 2)}\n`);
  return EXIT_OK;
}
