import { WalakeError } from '../core/errors.js';
/** A wrong flag, value or command: exit code 2 and a message that says how to call it instead. */
export class UsageError extends WalakeError {
  override readonly retryable = false;
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const MAIN_HELP = `walake: keep an S3 data lake of 8x8 Work Analytics call legs and call records.

Usage: walake <command> [options]

Commands:
  demo         start the bundled 8x8 simulator and pull from it into ./lake-data (what \`npm start\` runs)
  run          pull a range into a local lake folder, through the same chain as the Lambdas
  fetch-page   fetch one page of a report and print it as JSON (for checking credentials and parameters)
  query        SQL over a local lake with DuckDB (the tables and analytics views of Athena)
  report       one self-contained HTML report of a range: volume, missed calls, callbacks, pipeline health
  probe        measure the live API: largest pageSize, scrollId replay, throttling, how soon legs appear

Operating a deployed stack (--stack NAME reads its outputs; see docs/operations.md):
  status       per day and table: windows expected, published, settled, running, missing; gaps to rerun
  rerun        ask the planner to pull a range again (one control message)
  backfill     pull up to two years: control messages within the planner's caps, safe to run twice
  redrive      move dead-lettered messages back to their queues, once the cause is fixed

Options:
  -h, --help      this help; \`walake <command> --help\` for a command's own
  -v, --version   the version

Credentials come from WA_API_KEY, WA_USERNAME and WA_PASSWORD (or --secret-id, a Secrets Manager secret
holding {"apiKey","username","password"}); the endpoint from WA_BASE_URL (default
https://api.8x8.com/analytics/work).

Example:
  WA_API_KEY=… WA_USERNAME=… WA_PASSWORD=… walake fetch-page --table call-legs --from 2026-11-27T00:00:00Z --to 2026-11-27T01:00:00Z
`;
