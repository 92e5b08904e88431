import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Table } from '../../../functions/core/tables.js';

/**
 * The documented field lists and example rows of the two reports, read at test time from the copy of 8x8's
 * published reference in `test/fixtures/8x8/`, so that the tests follow the docs instead of hand-copied rows.
 */
export const REFERENCE_DIR = fileURLToPath(new URL('../../fixtures/8x8', import.meta.url));

interface ExampleBody {
  meta: { totalRecordCount: number; scrollId: string };
  data: Record<string, unknown>[];
}

const spec = JSON.parse(readFileSync(`${REFERENCE_DIR}/work_analytics_historical.json`, 'utf8'));

function ok200(table: Table) {
  return spec.paths[`/v2/${table}`].get.responses['200'].content['application/json'];
}

/** The raw text of the spec's 200 example of a table. */
export function specExampleText(table: Table): string {
  return ok200(table).examples.Result.value as string;
}

/**
 * The spec's 200 example of a table, parsed. The call-records example is not valid JSON: a comma is missing
 * after `"calleeHoldDuration": "00:00:00"`; it is repaired here (and only there), and the repair must change
 * the text, so that a corrected spec makes this helper fail loudly rather than patch something else.
 */
export function specExample(table: Table): ExampleBody {
  const text = specExampleText(table);
  if (table === 'call-legs') return JSON.parse(text);
  const repaired = text.replace(/("calleeHoldDuration": "00:00:00")(\s+"departments")/, '$1,$2');
  if (repaired === text) throw new Error('the call-records example no longer needs its comma repair');
  return JSON.parse(repaired);
}

/** The field names of the spec's 200 response schema of a table, in the spec's order. */
export function specSchemaFields(table: Table): string[] {
  return Object.keys(ok200(table).schema.properties.data.items.properties);
}

const GUIDES: Record<Table, string> = {
  'call-legs': 'work-analytics-call-legs.md',
  'call-records': 'work-analytics-call-detail-records.md',
};

/** The response example of a table's guide (the first JSON block holding both `meta` and rows). */
export function guideExample(table: Table): ExampleBody {
  const md = readFileSync(`${REFERENCE_DIR}/${GUIDES[table]}`, 'utf8');
  for (const [, block] of md.matchAll(/```json\n([\s\S]*?)```/g)) {
    if (block?.includes('"meta"') && block.includes('"callId"')) return JSON.parse(block);
  }
  throw new Error(`no response example in ${GUIDES[table]}`);
}

/** Every field documented for a table: the spec schema, the spec example and the guide example. */
export function documentedFields(table: Table): Set<string> {
  const fromRows = (body: ExampleBody) => body.data.flatMap((row) => Object.keys(row));
  return new Set([
    ...specSchemaFields(table),
    ...fromRows(specExample(table)),
    ...fromRows(guideExample(table)),
  ]);
}
