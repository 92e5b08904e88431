import { type Table, tableFolder } from '../../functions/core/tables.js';

/**
 * The SQL of the workgroup's saved queries. Days are `dt` strings (`YYYY-MM-DD`, UTC): filtering on `dt`
 * keeps partition projection to the days asked for, instead of listing every day since `firstDay`.
 */

const recentDays = (days: number) => `date_format(current_date - INTERVAL '${days}' DAY, '%Y-%m-%d')`;

/** Latest day, rows and last ingestion per table over today and yesterday (UTC). */
export function freshnessQuery(database: string, tables: readonly Table[]): string {
  const parts = tables.map((table) => {
    const name = tableFolder(table);
    return [
      `SELECT '${name}' AS table_name, max(dt) AS latest_dt, count(*) AS rows_last_2_days,`,
      `  max(_ingested_at) AS last_ingested_at`,
      `FROM "${database}"."${name}"`,
      `WHERE dt >= ${recentDays(1)}`,
    ].join('\n');
  });
  return `-- Is the lake fresh? Latest day and rows of today and yesterday (UTC), per table.\n${parts.join('\nUNION ALL\n')}\nORDER BY table_name`;
}

/** Calls, missed and abandoned calls per day over the last 30 days. */
export function missedCallsQuery(database: string, table: Table): string {
  return [
    `-- Missed and abandoned calls per day (UTC) over the last 30 days, from ${tableFolder(table)}.`,
    `SELECT dt, count(*) AS calls,`,
    `  count_if(missed = 'Missed') AS missed,`,
    `  count_if(abandoned = 'Abandoned') AS abandoned,`,
    `  round(100.0 * count_if(missed = 'Missed') / count(*), 1) AS missed_pct`,
    `FROM "${database}"."${tableFolder(table)}"`,
    `WHERE dt >= ${recentDays(30)}`,
    `GROUP BY dt`,
    `ORDER BY dt`,
  ].join('\n');
}

/**
 * `CREATE TABLE AS` a Parquet copy of a day range, partitioned by `dt`; the days are execution parameters. A
 * batch must stay within both of Athena's limits: 100 partitions written, and the workgroup's scan cutoff
 * (a query that scans more is cancelled, and what it wrote is left behind).
 */
export function parquetQuery(database: string, table: Table, location: string, cutoffGb: number): string {
  const name = tableFolder(table);
  return [
    `-- Copies a day range of ${name} to Parquet under ${location}.`,
    `-- Run it with two execution parameters, the first and last day as quoted strings: '2025-01-01', '2025-03-31'.`,
    `-- A batch must fit two limits: CTAS and INSERT INTO write at most 100 partitions (days) per query, and`,
    `-- this workgroup cancels a query that scans more than ${cutoffGb} GB (bytesScannedCutoffGb; the gzip JSON is`,
    `-- what is scanned). Days per batch: at most 100, and at most ${cutoffGb} GB / the gzip size of one day,`,
    `-- e.g. about 80 days at 1M legs a day (120 MB a day) for a 10 GB cutoff. Measure a day with`,
    `--   aws s3 ls --summarize --recursive s3://<DataBucketName>/lake/${name}/dt=2025-01-01/`,
    `-- A cancelled batch may leave files under ${location}: delete them before running it again.`,
    `-- This creates the table with the first batch; add each next batch with`,
    `--   INSERT INTO "${database}"."${name}_parquet" SELECT * FROM "${database}"."${name}" WHERE dt BETWEEN ? AND ?`,
    `-- The columns need no casts: the JSON table already has one type per column; dt comes last, as required.`,
    `CREATE TABLE "${database}"."${name}_parquet"`,
    `WITH (`,
    `  format = 'PARQUET',`,
    `  write_compression = 'SNAPPY',`,
    `  external_location = '${location}',`,
    `  partitioned_by = ARRAY['dt']`,
    `) AS`,
    `SELECT * FROM "${database}"."${name}"`,
    `WHERE dt BETWEEN ? AND ?`,
  ].join('\n');
}
