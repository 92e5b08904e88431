/** The two paginated Work Analytics reports this lake keeps: one chain of pages per grid window. */
export const PAGINATED_TABLES = ['call-legs', 'call-records'] as const;

/**
 * The four summary reports (not paginated: one answer per request), kept per UTC day and PBX: 8x8's own
 * numbers, the ones its Analytics dashboards show, and the ones `summary_check` compares the lake with.
 */
export const SUMMARY_TABLES = [
  'company-summary',
  'extension-summary',
  'ring-group-summary',
  'ring-group-member-summary',
] as const;

/**
 * The tables the pipeline pulls today (runs, `all`, status, the stack): the paginated reports. The summaries
 * have their schema (`columns-summary.ts`) but no chain yet; they join this list when they do.
 */
export const TABLES = PAGINATED_TABLES;

/** Every table of the lake's schema: the pulled ones and the summaries. */
export const LAKE_TABLES = [...PAGINATED_TABLES, ...SUMMARY_TABLES] as const;

/** A table the pipeline pulls, named after its report. */
export type Table = (typeof TABLES)[number];
/** A paginated report's table. */
export type PaginatedTable = (typeof PAGINATED_TABLES)[number];
/** Any table of the lake's schema. */
export type LakeTable = (typeof LAKE_TABLES)[number];
/** A summary report's table. */
export type SummaryTable = (typeof SUMMARY_TABLES)[number];

/** The lake folder of a table: Athena/Hive names cannot hold a dash without quoting. */
export type TableFolder =
  | 'call_legs'
  | 'call_records'
  | 'company_summary'
  | 'extension_summary'
  | 'ring_group_summary'
  | 'ring_group_member_summary';

const FOLDERS: Readonly<Record<LakeTable, TableFolder>> = {
  'call-legs': 'call_legs',
  'call-records': 'call_records',
  'company-summary': 'company_summary',
  'extension-summary': 'extension_summary',
  'ring-group-summary': 'ring_group_summary',
  'ring-group-member-summary': 'ring_group_member_summary',
};

const PATHS: Readonly<Record<LakeTable, string>> = {
  'call-legs': '/v2/call-legs',
  'call-records': '/v2/call-records',
  'company-summary': '/v1/compsum',
  'extension-summary': '/v2/extsum',
  'ring-group-summary': '/v2/rgsum-groups',
  'ring-group-member-summary': '/v2/rgsum-members',
};

/** Narrows an untrusted value (CLI argument, message field) to a {@link Table}. */
export function isTable(value: unknown): value is Table {
  return typeof value === 'string' && (TABLES as readonly string[]).includes(value);
}

/** Narrows an untrusted value to any table of the lake's schema, summaries included. */
export function isLakeTable(value: unknown): value is LakeTable {
  return typeof value === 'string' && (LAKE_TABLES as readonly string[]).includes(value);
}

/** Whether a table is one of the summary reports: a day per chain, one answer per request. */
export function isSummaryTable(table: LakeTable): table is SummaryTable {
  return (SUMMARY_TABLES as readonly string[]).includes(table);
}

/** The folder under `lake/`, `staging/` and `ledger/` that holds a table: `call_legs`, `company_summary`… */
export function tableFolder<T extends LakeTable>(
  table: T,
): T extends Table ? 'call_legs' | 'call_records' : TableFolder {
  return FOLDERS[table] as T extends Table ? 'call_legs' | 'call_records' : TableFolder;
}

/** The API path of a table's report, relative to the Work Analytics base URL: `/v2/call-legs`, `/v1/compsum`. */
export function apiPath(table: LakeTable): string {
  return PATHS[table];
}

/** Minutes of a UTC day: the window of every summary table, whatever the lake's grid. */
export const SUMMARY_GRID_MINUTES = 1440;

/**
 * The grid a table's windows are cut on: the lake's grid for the paginated reports, one UTC day for the
 * summaries (a summary cannot be added up from hourly answers: its averages and its distinct callers would
 * be wrong), so that a summary's day is the same `dt` as the call records it is checked against.
 */
export function gridMinutesOf(table: LakeTable, gridMinutes: number): number {
  return isSummaryTable(table) ? SUMMARY_GRID_MINUTES : gridMinutes;
}
