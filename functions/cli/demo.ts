import { join, resolve } from 'node:path';
import { parseFlags } from './args.js';
import { runLocal } from './local-run.js';
import { runOptionsOf } from './run.js';
import { printSummary, progressReporter } from './run-output.js';
import { printTable } from './table-output.js';
import { EXIT_FAILURE, EXIT_OK } from './usage.js';

const DAY_MS = 86_400_000;

const HELP = `Usage: walake demo [--out DIR]

The embedded default (what \`npm start\` runs): starts the bundled 8x8 simulator on 127.0.0.1, pulls the last
full UTC day of call legs and call records into a local lake (default ./lake-data) through the same chain the
Lambdas run, prints the run's summary, answers a few Athena-style questions with DuckDB over the lake, and
writes the day's HTML report (walake report) to report.html in the lake folder.
`;

/** Questions an analyst asks first, in SQL that runs on DuckDB here and, but for the time functions, on Athena. */
export const DEMO_QUESTIONS: { title: string; sql: string }[] = [
  {
    title: 'Calls per hour (UTC, by disconnect time)',
    sql: `SELECT strftime(to_timestamp(disconnected_time_utc / 1000), '%H:00') AS hour, count(*) AS calls
          FROM call_records GROUP BY 1 ORDER BY 1`,
  },
  {
    title: 'Missed and abandoned rate',
    sql: `SELECT count(*) AS calls,
                 round(100.0 * count(*) FILTER (WHERE missed = 'Missed') / count(*), 1) AS missed_pct,
                 round(100.0 * count(*) FILTER (WHERE abandoned = 'Abandoned') / count(*), 1) AS abandoned_pct
          FROM call_records`,
  },
  {
    title: 'Busiest PBX',
    sql: `SELECT pbx_id, count(*) AS calls, round(sum(talk_time_ms) / 60000, 1) AS talk_minutes,
                 (SELECT count(*) FROM call_legs l WHERE l.pbx_id = r.pbx_id) AS legs
          FROM call_records r GROUP BY pbx_id ORDER BY calls DESC LIMIT 3`,
  },
];

export async function demoCommand(argv: string[]): Promise<number> {
  const flags = parseFlags(argv, { out: { type: 'string' } }, HELP);
  if (!flags) return EXIT_OK;
  const out = resolve(flags.out ?? 'lake-data');
  const { startSimulator } = await import('../simulator/index.js');
  const sim = await startSimulator();
  const toMs = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const fromMs = toMs - DAY_MS;
  try {
    process.stdout.write(
      `8x8 simulator at ${sim.baseUrl}\npulling ${new Date(fromMs).toISOString().slice(0, 10)} (UTC) into ${out}\n`,
    );
    // The defaults of `walake run`, for the last full day.
    const options = runOptionsOf({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      out,
    });
    const summary = await runLocal({
      ...options,
      connection: {
        baseUrl: sim.baseUrl,
        credentials: { apiKey: sim.apiKey, username: sim.username, password: sim.password },
      },
      onProgress: progressReporter(process.stderr),
    });
    printSummary(process.stdout, summary, out);
    if (summary.failed > 0) return EXIT_FAILURE;
  } finally {
    await sim.close();
  }
  const { openLake } = await import('../adapters/duckdb-lake.js');
  const lake = await openLake(out);
  try {
    for (const question of DEMO_QUESTIONS) {
      process.stdout.write(`\n${question.title}\n`);
      printTable(process.stdout, await lake.query(question.sql));
    }
    process.stdout.write(
      '\nBusiest hours, and missed calls never called back (views calls_hourly, missed_calls)\n',
    );
    printTable(
      process.stdout,
      await lake.query(
        `SELECT hour_utc, sum(calls) AS calls, sum(missed) AS missed, sum(abandoned) AS abandoned,
                (SELECT count(*) FROM missed_calls m WHERE date_trunc('hour', m.missed_at) = h.hour_utc
                   AND NOT m.called_back) AS not_called_back
         FROM calls_hourly h GROUP BY hour_utc ORDER BY calls DESC LIMIT 3`,
      ),
    );
  } finally {
    lake.close();
  }
  const { reportCommand } = await import('./report.js');
  const range = ['--from', new Date(fromMs).toISOString(), '--to', new Date(toMs).toISOString()];
  process.stdout.write('\n');
  return reportCommand(['--out', out, ...range, '--html', join(out, 'report.html')]);
}
