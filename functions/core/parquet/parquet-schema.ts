import type { SchemaElement } from 'hyparquet-writer';
import { type ColumnType, columnsOf } from '../record-schema.js';
import type { LakeTable } from '../tables.js';

/**
 * The Parquet schema of a lake table, derived from the one record schema like the Glue columns: every
 * column optional (a null stays a null), in the schema's order, each of the physical and logical type that
 * Athena reads as the Glue JSON table's type, so that `curated/` and `lake/` give the same columns.
 */

/** What each column type becomes: a leaf for the scalars, a three-level LIST for `string[]`. */
const LEAVES: Readonly<Record<Exclude<ColumnType, 'string[]'>, Omit<SchemaElement, 'name'>>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  local_time: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  epoch_ms: { type: 'INT64' },
  bigint: { type: 'INT64' },
  int: { type: 'INT32' },
};

function elementsOf(name: string, type: ColumnType): SchemaElement[] {
  if (type !== 'string[]') return [{ name, repetition_type: 'OPTIONAL', ...LEAVES[type] }];
  // The standard three-level list (parquet-format LogicalTypes.md): what Athena, Spark and DuckDB all read as
  // array<string>, null and [] kept apart, a null item kept.
  return [
    {
      name,
      repetition_type: 'OPTIONAL',
      converted_type: 'LIST',
      logical_type: { type: 'LIST' },
      num_children: 1,
    },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', repetition_type: 'OPTIONAL', ...LEAVES.string },
  ];
}

/** The flattened Parquet schema of a table (root first), as hyparquet-writer takes it. */
export function parquetSchemaOf(table: LakeTable): SchemaElement[] {
  const columns = columnsOf(table);
  return [
    { name: 'schema', num_children: columns.length },
    ...columns.flatMap((c) => elementsOf(c.name, c.type)),
  ];
}
