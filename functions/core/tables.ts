/** The two paginated Work Analytics reports this lake keeps. */
export const TABLES = ['call-legs', 'call-records'] as const;

/** A table of the lake, named after its API path. */
export type Table = (typeof TABLES)[number];

/** The lake folder of a table: Athena/Hive names cannot hold a dash without quoting. */
export type TableFolder = 'call_legs' | 'call_records';

const FOLDERS: Readonly<Record<Table, TableFolder>> = {
  'call-legs': 'call_legs',
  'call-records': 'call_records',
};

/** Narrows an untrusted value (CLI argument, message field) to a {@link Table}. */
export function isTable(value: unknown): value is Table {
  return value === 'call-legs' || value === 'call-records';
}

/** The folder under `lake/`, `staging/` and `ledger/` that holds a table: `call_legs` or `call_records`. */
export function tableFolder(table: Table): TableFolder {
  return FOLDERS[table];
}

/** The API path of a table's report, relative to the Work Analytics base URL: `/v2/call-legs`. */
export function apiPath(table: Table): `/v2/${Table}` {
  return `/v2/${table}`;
}
