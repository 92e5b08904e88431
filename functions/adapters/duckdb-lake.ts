import { resolve } from 'node:path';
import {
  type DuckDBConnection,
  DuckDBInstance,
  DuckDBTypeId,
  type DuckDBValueConverter,
  type Json,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';
import { duckdbColumns } from '../core/record-schema.js';
import { TABLES, type Table, tableFolder } from '../core/tables.js';
import { DEFAULT_CALLBACK_HOURS, TRINO_MACROS_DUCKDB, viewDefinitions } from '../core/views.js';

/** A local lake folder opened for SQL: a view per table named like the Athena table, and the analytics views. */
export interface LakeDb {
  /** Runs SQL; values are JSON-safe (64-bit integers as numbers when safe, else as decimal text). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

const sqlText = (text: string): string => `'${text.replaceAll("'", "''")}'`;
const sqlName = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The glob of a table's published objects under a local lake root. */
export function lakeGlob(table: Table, root: string): string {
  const absolute = resolve(root);
  // DuckDB offers no escape for glob characters: such a root would read other folders, or none.
  if (/[*?[\]{}]/.test(absolute)) throw new Error(`lake root ${absolute} contains a glob character; move it`);
  // Hive partitioning reads every `k=v` folder of the whole path, the root's included, and such a value
  // overrides the JSON's own (a root under `/x/call_id=7/` would set every call_id to 7; an outer `dt=` wins).
  if (absolute.includes('=')) throw new Error(`lake root ${absolute} contains "="; use a folder without one`);
  return `${absolute}/lake/${tableFolder(table)}/dt=*/*.json.gz`;
}

/**
 * The `CREATE OR REPLACE VIEW` of a table over a local lake: the schema's columns then `dt` (text
 * `YYYY-MM-DD`, from the `dt=` folder, as Athena's projected partition). With `empty`, a view with the same
 * columns and no rows, since `read_json` on a glob that matches no file fails, even in a view definition.
 */
export function duckdbCreateViewSql(table: Table, root: string, options: { empty?: boolean } = {}): string {
  const columns = Object.entries(duckdbColumns(table));
  const view = `CREATE OR REPLACE VIEW ${sqlName(tableFolder(table))} AS SELECT`;
  if (options.empty) {
    const casts = columns.map(([name, type]) => `CAST(NULL AS ${type}) AS ${sqlName(name)}`);
    return `${view} ${[...casts, `CAST(NULL AS VARCHAR) AS "dt"`].join(', ')} WHERE false`;
  }
  const map = columns.map(([name, type]) => `${sqlText(name)}: ${sqlText(type)}`).join(', ');
  // Columns are named, not `*`, so that the view keeps the schema's order and any stray `k=v` folder of a
  // published key cannot add a column.
  const names = [...columns.map(([name]) => sqlName(name)), '"dt"'].join(', ');
  return (
    `${view} ${names} FROM read_json(${sqlText(lakeGlob(table, root))}, format = 'newline_delimited', ` +
    `columns = {${map}}, hive_partitioning = true, hive_types = {'dt': 'VARCHAR'}, compression = 'gzip')`
  );
}

const WIDE_INTEGERS = new Set([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);

// DuckDB's JSON form gives every BIGINT as text, `count(*)` and epoch ms included; a number reads better and is
// exact up to 2^53. Nested values (lists, structs) come back through this converter too.
const toJson: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (typeof value === 'bigint' && WIDE_INTEGERS.has(type.typeId)) {
    return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER
      ? Number(value)
      : String(value);
  }
  return JsonDuckDBValueConverter(value, type, converter);
};

export interface OpenLakeOptions {
  /** Hours within which an outbound call counts as a callback in `missed_calls` (default 24, as the stack). */
  callbackHours?: number;
}

/**
 * Opens a local lake (`<root>/lake/<table_folder>/dt=YYYY-MM-DD/<window>.json.gz`) in an in-memory DuckDB,
 * with the views `call_legs` and `call_records`, and the analytics views of Athena (`calls_hourly`,
 * `call_journeys`, `missed_calls`, `service_daily`) from the same SQL. Each query first checks which tables
 * have files, so a table published after opening becomes readable without reopening.
 */
export async function openLake(root: string, options: OpenLakeOptions = {}): Promise<LakeDb> {
  const instance = await DuckDBInstance.create(':memory:');
  let connection: DuckDBConnection;
  try {
    connection = await instance.connect();
  } catch (error) {
    instance.closeSync();
    throw error;
  }
  const hasFiles = new Map<Table, boolean>();
  const refresh = async () => {
    for (const table of TABLES) {
      const probe = await connection.runAndReadAll(
        `SELECT 1 FROM glob(${sqlText(lakeGlob(table, root))}) LIMIT 1`,
      );
      const found = probe.currentRowCount > 0;
      if (hasFiles.get(table) === found) continue;
      await connection.run(duckdbCreateViewSql(table, root, { empty: !found }));
      hasFiles.set(table, found);
    }
  };
  try {
    await refresh();
    // The views' SQL is Athena's; the macros give DuckDB the Trino functions it uses. The views read the
    // table views by name, so they follow them when `refresh` replaces an empty table view by a real one.
    for (const macro of TRINO_MACROS_DUCKDB) await connection.run(macro);
    for (const view of viewDefinitions(options.callbackHours ?? DEFAULT_CALLBACK_HOURS)) {
      await connection.run(`CREATE OR REPLACE VIEW ${sqlName(view.name)} AS ${view.sql}`);
    }
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  return {
    async query(sql) {
      await refresh();
      return (await connection.runAndReadAll(sql)).convertRowObjects(toJson);
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
