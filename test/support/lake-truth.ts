import { openLake } from '../../functions/adapters/duckdb-lake.js';
import { normalizeRow } from '../../functions/core/record-schema.js';
import { type Table, tableFolder } from '../../functions/core/tables.js';
import type { Simulator, TruthQuery } from '../../functions/simulator/index.js';

const LINEAGE = {
  ingestedAt: '1970-01-01T00:00:00.000Z',
  attempt: 1,
  windowStart: '1970-01-01T00:00:00.000Z',
};
const LINEAGE_COLUMNS = ['_ingested_at', '_attempt', '_window_start', 'dt'];

/** A row's identity in its table, for sorting and duplicate checks. */
export function identity(row: Record<string, unknown>): string {
  return `${row.call_id}/${row.leg_id ?? ''}`;
}

function withoutLineage(row: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...row };
  for (const column of LINEAGE_COLUMNS) delete copy[column];
  return copy;
}

/** What the lake should hold for a range: the simulator's truth, normalized by the record schema. */
export function expectedRows(sim: Simulator, query: TruthQuery): Record<string, unknown>[] {
  return sim
    .truth(query)
    .map((row) => withoutLineage(normalizeRow(query.table, row, LINEAGE).row))
    .sort((a, b) => identity(a).localeCompare(identity(b)));
}

/** What the published lake holds for a table, read by DuckDB as Athena would read it, without lineage. */
export async function lakeRows(
  out: string,
  table: Table,
  where = 'true',
): Promise<Record<string, unknown>[]> {
  const lake = await openLake(out);
  try {
    const rows = await lake.query(`SELECT * FROM ${tableFolder(table)} WHERE ${where}`);
    return rows.map(withoutLineage).sort((a, b) => identity(a).localeCompare(identity(b)));
  } finally {
    lake.close();
  }
}
