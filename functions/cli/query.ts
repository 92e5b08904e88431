import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type CliIo, type CommandSpec, type FlagSpecs, parseCommand, processIo } from './command.js';
import { printTable } from './table-output.js';
import { EXIT_OK, UsageError } from './usage.js';

const QUERY_COMMAND = {
  usage: `walake query [--out DIR] [--json] "SQL"`,
  about: `Runs SQL with DuckDB over a local lake (what walake run or walake demo wrote), with the tables and columns of
Athena: call_legs and call_records, each with its dt partition column (YYYY-MM-DD), and the analytics views
calls_hourly, call_journeys, missed_calls and service_daily (the same SQL as the stack's Glue views). Prints an
aligned table, or with --json one JSON array of row objects.`,
  flags: {
    out: { type: 'string', value: 'DIR', description: `the lake folder (default ./lake-data)` },
    json: { type: 'boolean', description: `print the rows as JSON` },
  },
  positionals: true,
  example: `walake query --out ./lake-data "SELECT dt, count(*) AS legs FROM call_legs GROUP BY dt ORDER BY dt"
walake query "SELECT hour_utc, sum(calls) AS calls, sum(missed) AS missed FROM calls_hourly GROUP BY 1 ORDER BY 1"`,
} as const satisfies CommandSpec<FlagSpecs>;

export async function queryCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, QUERY_COMMAND, io);
  if (!parsed) return EXIT_OK;
  const [sql, ...extra] = parsed.positionals;
  if (sql === undefined || sql.trim() === '') throw new UsageError('give the SQL as one argument, in quotes');
  if (extra.length > 0) throw new UsageError('give the SQL as one argument: put it in quotes');
  const root = resolve(parsed.values.out ?? 'lake-data');
  const found = await stat(root).catch(() => undefined);
  if (!found?.isDirectory()) {
    throw new Error(`no lake folder at ${root}: pass --out DIR (where walake run wrote)`);
  }
  let openLake: typeof import('../adapters/duckdb-lake.js').openLake;
  try {
    ({ openLake } = await import('../adapters/duckdb-lake.js'));
  } catch (error) {
    throw new Error(
      `walake query needs DuckDB (@duckdb/node-api), which could not be loaded (${(error as Error).message}): ` +
        'install the project with its dev dependencies (npm ci)',
    );
  }
  const lake = await openLake(root);
  try {
    const rows = await lake.query(sql);
    if (parsed.values.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else printTable(io.stdout, rows);
  } finally {
    lake.close();
  }
  return EXIT_OK;
}
