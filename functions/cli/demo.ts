import { join, resolve } from 'node:path';
import { type CliIo, type CommandSpec, parseCommand, processIo } from './command.js';
import { runLocal } from './local-run.js';
import { RUN_FLAGS, runOptionsOf } from './run.js';
import { printSummary, progressReporter } from './run-output.js';
import { printTable } from './table-output.js';
import { EXIT_FAILURE, EXIT_OK } from './usage.js';

const DAY_MS = 86_400_000;

const DEMO = {
  usage: 'walake demo [--out DIR]',
  about: `The embedded default (what \`npm start\` runs): starts the bundled 8x8 simulator on 127.0.0.1, pulls the last
full UTC day of call legs and call records into a local lake through the same chain the Lambdas run, with
\`walake run\`'s defaults, prints the run's summary, answers a few Athena-style questions with DuckDB over the
lake, and writes the day's HTML report (walake report) to report.html in the lake folder.`,
  // The same flag as walake run's, and so its default.
  flags: { out: RUN_FLAGS.out },
  example: 'npm start   # or: walake demo --out ./lake-data',
} satisfies CommandSpec<{ out: typeof RUN_FLAGS.out }>;

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

export async function demoCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, DEMO, io);
  if (!parsed) return EXIT_OK;
  const out = resolve(parsed.values.out);
  const { startSimulator } = await import('../simulator/index.js');
  const sim = await startSimulator();
  const toMs = Math.floor(io.now() / DAY_MS) * DAY_MS;
  const fromMs = toMs - DAY_MS;
  try {
    io.stdout.write(
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
      onProgress: progressReporter(io.stderr),
    });
    printSummary(io.stdout, summary, out);
    if (summary.failed > 0) return EXIT_FAILURE;
  } finally {
    await sim.close();
  }
  const { openLake } = await import('../adapters/duckdb-lake.js');
  const lake = await openLake(out);
  try {
    for (const question of DEMO_QUESTIONS) {
      io.stdout.write(`\n${question.title}\n`);
      printTable(io.stdout, await lake.query(question.sql));
    }
    io.stdout.write(
      '\nBusiest hours, and missed calls never called back (views calls_hourly, missed_calls)\n',
    );
    printTable(
      io.stdout,
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
  io.stdout.write('\n');
  return reportCommand(['--out', parsed.values.out, ...range, '--html', join(out, 'report.html')], io);
}
