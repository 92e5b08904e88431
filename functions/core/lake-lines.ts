import { gunzipSync, gzipSync } from 'node:zlib';
import type { LakeRow } from './record-schema.js';
import type { Table } from './tables.js';

/**
 * The lake's file format: gzip'd JSON lines, one row object per line, what Athena's Hive JSON SerDe and
 * DuckDB read. Staged pages use it too, so publishing a window is a stream of lines, never a re-normalization.
 */
export function encodeLines(rows: readonly LakeRow[]): Uint8Array {
  let text = '';
  for (const row of rows) text += `${JSON.stringify(row)}\n`;
  return gzipSync(text);
}

/** The lines of a gzip'd JSON-lines object, without the trailing empty line. */
export function decodeLines(body: Uint8Array): string[] {
  const text = gunzipSync(body).toString('utf8');
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The identity of a row, read from its serialized line: `call_id` for records, `call_id` + `leg_id` for legs.
 * A key name can only match as a key: inside a string value its quotes are escaped. Cheaper than JSON.parse
 * on every line of a large window.
 */
export function rowIdentity(table: Table, line: string): string {
  const callId = valueAfter(line, '"call_id":');
  return table === 'call-legs' ? `${callId}\u0000${valueAfter(line, '"leg_id":')}` : callId;
}

function valueAfter(line: string, key: string): string {
  const at = line.indexOf(key);
  if (at < 0) return '';
  const start = at + key.length;
  if (line[start] !== '"') return line.slice(start, line.indexOf(',', start));
  return line.slice(start, line.indexOf('"', start + 1) + 1);
}
