import { coerce, type LakeValue, MISMATCH, RowSchemaError, repairedText } from './coerce.js';
import { LEG_FIELDS } from './columns-legs.js';
import { RECORD_FIELDS } from './columns-records.js';
import type { ApiColumnType, ColumnType, FieldSpec } from './columns-shared.js';
import {
  COMPANY_SUMMARY_FIELDS,
  EXTENSION_SUMMARY_FIELDS,
  RING_GROUP_MEMBER_SUMMARY_FIELDS,
  RING_GROUP_SUMMARY_FIELDS,
} from './columns-summary.js';
import { stringifyExact } from './exact-json.js';
import type { LakeTable as Table } from './tables.js';
import type { Window } from './windows.js';

export type { ColumnType } from './columns-shared.js';

/** A lake column: documented API fields first (API order), then `extra`, then the lineage columns. */
export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly apiName?: string;
  readonly doc: string;
}

/** Who wrote a row: the same for every row of a page, so it is formatted once, not per row. */
export interface Lineage {
  /** ISO 8601 instant the page was ingested. */
  readonly ingestedAt: string;
  readonly attempt: number;
  /** ISO 8601 start of the row's window. */
  readonly windowStart: string;
}

/** A Parquet-ready row, keyed by column name, in column order. */
export type LakeRow = Record<string, LakeValue>;

/** A normalized row and the API fields it kept in `extra`: the undocumented ones, and the mistyped ones. */
export interface NormalizedRow {
  readonly row: LakeRow;
  readonly driftFields: readonly string[];
  /** Documented fields whose value does not fit their column: the column is null, the value is in `extra`. */
  readonly typeMismatches: readonly string[];
}

/**
 * The column name of an API field: camelCase to snake_case, an upper-case run being one word
 * (`disconnectedTimeUTC` -> `disconnected_time_utc`, `talkTimeMS` -> `talk_time_ms`).
 */
export function snakeCase(apiName: string): string {
  return apiName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

const TAIL: readonly Column[] = [
  {
    name: 'extra',
    type: 'string',
    doc: 'Undocumented API fields of the row as a JSON object string; else null.',
  },
  { name: '_ingested_at', type: 'string', doc: 'ISO 8601 instant the row was ingested.' },
  { name: '_attempt', type: 'int', doc: 'Attempt of the window pull that wrote the row.' },
  { name: '_window_start', type: 'string', doc: 'ISO 8601 start of the grid window that holds the row.' },
];

interface Plan {
  readonly columns: readonly Column[];
  readonly fields: readonly {
    readonly apiName: string;
    readonly type: ApiColumnType;
    readonly name: string;
  }[];
  readonly known: ReadonlySet<string>;
  readonly template: LakeRow;
}

// Compiled once per table at load; a bad declaration fails every test, not a Lambda at 3 a.m.
function compile(table: Table, specs: readonly FieldSpec[]): Plan {
  const fields = specs.map((s) => ({ apiName: s.apiName, type: s.type, name: snakeCase(s.apiName) }));
  const columns: Column[] = [
    ...fields.map((f, i) => ({ name: f.name, type: f.type, apiName: f.apiName, doc: specs[i]?.doc ?? '' })),
    ...TAIL,
  ];
  const names = new Set<string>();
  for (const { name } of columns) {
    // `date` collides with the Hive/Athena keyword; `dt` is the partition column.
    if (name === 'date' || name === 'dt' || names.has(name)) {
      throw new Error(`${table}: column ${name} is reserved or declared twice; rename it in columns-*.ts`);
    }
    names.add(name);
  }
  // Rows are spread from this template: they share one fast hidden class (cheaper to fill and to stringify)
  // instead of each growing into a dictionary-mode object through 53 keyed stores.
  const template = Object.fromEntries(columns.map((c) => [c.name, null]));
  return { columns, fields, known: new Set(fields.map((f) => f.apiName)), template };
}

const PLANS: Readonly<Record<Table, Plan>> = {
  'call-legs': compile('call-legs', LEG_FIELDS),
  'call-records': compile('call-records', RECORD_FIELDS),
  'company-summary': compile('company-summary', COMPANY_SUMMARY_FIELDS),
  'extension-summary': compile('extension-summary', EXTENSION_SUMMARY_FIELDS),
  'ring-group-summary': compile('ring-group-summary', RING_GROUP_SUMMARY_FIELDS),
  'ring-group-member-summary': compile('ring-group-member-summary', RING_GROUP_MEMBER_SUMMARY_FIELDS),
};

const NONE: readonly string[] = Object.freeze([]);

/** The lineage of the rows of one page. */
export function lineageOf(window: Window, attempt: number, ingestedAtMs: number): Lineage {
  return {
    ingestedAt: new Date(ingestedAtMs).toISOString(),
    attempt,
    windowStart: new Date(window.startMs).toISOString(),
  };
}

/**
 * Turns one API row into a lake row: every documented field coerced to its column type (absent -> null),
 * undocumented fields and values that do not fit their column into `extra` (the column then null), lineage
 * appended. A changed API thus never stops the chain: it shows as drift and type mismatches.
 * @throws RowSchemaError when the row is not an object.
 */
export function normalizeRow(table: Table, apiRow: unknown, lineage: Lineage): NormalizedRow {
  if (typeof apiRow !== 'object' || apiRow === null || Array.isArray(apiRow)) {
    throw new RowSchemaError(table, '(row)', 'a JSON object', apiRow);
  }
  const plan = PLANS[table];
  const source = apiRow as Record<string, unknown>;
  const row: LakeRow = { ...plan.template };
  let present = 0;
  let mismatches: string[] | undefined;
  for (const f of plan.fields) {
    const value = source[f.apiName];
    if (value !== undefined) present++;
    const lake = coerce(f.type, value);
    // Text with a lone surrogate is kept with U+FFFD in its place, and exactly as sent in `extra`.
    const repaired = lake === MISMATCH ? undefined : repairedText(lake);
    if (lake !== MISMATCH && repaired === undefined) row[f.name] = lake;
    else {
      if (repaired !== undefined) row[f.name] = repaired;
      if (mismatches === undefined) mismatches = [f.apiName];
      else mismatches.push(f.apiName);
    }
  }
  // Drift is rare: counting the row's keys (for...in allocates no key array; rows come from JSON.parse, so
  // every enumerable key is an own key) proves its absence without a set lookup per key.
  let keys = 0;
  for (const _ in source) keys++;
  const drift = keys === present ? undefined : undocumented(plan, source);
  row.extra = drift || mismatches ? extraJson(plan, source, mismatches ?? NONE) : null;
  row._ingested_at = lineage.ingestedAt;
  row._attempt = lineage.attempt;
  row._window_start = lineage.windowStart;
  return { row, driftFields: drift ?? NONE, typeMismatches: mismatches ?? NONE };
}

function undocumented(plan: Plan, source: Record<string, unknown>): string[] | undefined {
  let drift: string[] | undefined;
  for (const key in source) {
    if (plan.known.has(key)) continue;
    if (drift === undefined) drift = [key];
    else drift.push(key);
  }
  return drift;
}

// The fields in the API's order; integers beyond 2^53 as the API wrote them.
function extraJson(plan: Plan, source: Record<string, unknown>, mismatches: readonly string[]): string {
  // A null prototype keeps a field named __proto__ an ordinary key.
  const extra: Record<string, unknown> = Object.create(null);
  for (const key in source) {
    if (!plan.known.has(key) || mismatches.includes(key)) extra[key] = source[key];
  }
  return stringifyExact(extra);
}

/** The ordered columns of a table: the one schema the Glue table, DuckDB reads and tests derive from. */
export function columnsOf(table: Table): readonly Column[] {
  return PLANS[table].columns;
}

const GLUE: Readonly<Record<ColumnType, string>> = {
  string: 'string',
  local_time: 'string',
  epoch_ms: 'bigint',
  bigint: 'bigint',
  int: 'int',
  'string[]': 'array<string>',
};

const DUCKDB: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  local_time: 'VARCHAR',
  epoch_ms: 'BIGINT',
  bigint: 'BIGINT',
  int: 'INTEGER',
  'string[]': 'VARCHAR[]',
};

/** The Glue (Hive JSON SerDe) columns of a table, in order. */
export function glueColumns(table: Table): { name: string; type: string }[] {
  return columnsOf(table).map((c) => ({ name: c.name, type: GLUE[c.type] }));
}

/** The `columns={...}` map of DuckDB's `read_json` for a table, in column order. */
export function duckdbColumns(table: Table): Record<string, string> {
  return Object.fromEntries(columnsOf(table).map((c) => [c.name, DUCKDB[c.type]]));
}
