import { gunzipSync, gzipSync } from 'node:zlib';
import type { LakeRow } from './record-schema.js';
import type { Table } from './tables.js';

// A staged page lives only until its window is published: level 1 compresses it at about twice the speed of
// the default 6, on the worker's hot path, for a file about 45 % larger. The lake object keeps 6 (publish.ts).
const STAGING_GZIP_LEVEL = 1;
const NEWLINE = 0x0a;

/**
 * The lake's file format: gzip'd JSON lines, one row object per line, what Athena's Hive JSON SerDe and
 * DuckDB read. Staged pages use it too, so publishing a window is a stream of lines, never a re-normalization.
 */
export function encodeLines(rows: readonly LakeRow[]): Uint8Array {
  // Each line goes straight into bytes: one long string would then be flattened and encoded whole, which
  // took as long as the JSON itself.
  let bytes = Buffer.allocUnsafe(64 * 1024);
  let length = 0;
  for (const row of rows) {
    const json = JSON.stringify(row);
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    const needed = length + json.length * 3 + 1;
    if (needed > bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(needed, bytes.length * 2));
      bytes.copy(larger, 0, 0, length);
      bytes = larger;
    }
    length += bytes.write(json, length);
    bytes[length++] = NEWLINE;
  }
  return gzipSync(bytes.subarray(0, length), { level: STAGING_GZIP_LEVEL });
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
 * The identity of a row, read from its serialized line: `call_id` for records, `call_id` + `leg_id` for legs;
 * undefined when a part is null, empty or absent: such rows are not the same row, so never deduplicated.
 * A key name can only match as a key: inside a string value its quotes are escaped. Cheaper than JSON.parse
 * on every line of a large window.
 */
export function rowIdentity(table: Table, line: string): string | undefined {
  return identityOf(table, valueAfter(line, '"call_id":'), () => valueAfter(line, '"leg_id":'));
}

function valueAfter(line: string, key: string): string {
  const at = line.indexOf(key);
  if (at < 0) return '';
  const start = at + key.length;
  if (line[start] !== '"') return line.slice(start, line.indexOf(',', start));
  return line.slice(start, line.indexOf('"', start + 1) + 1);
}

// A part as serialized: '' when absent, 'null', or '""' when empty are no identity.
function identityOf(table: Table, callId: string, legId: () => string): string | undefined {
  const call = part(callId);
  if (call === undefined || table !== 'call-legs') return call;
  const leg = part(legId());
  return leg === undefined ? undefined : `${call}\u0000${leg}`;
}

function part(value: string): string | undefined {
  return value === '' || value === 'null' || value === '""' ? undefined : value;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CALL_ID = Buffer.from('"call_id":');
const LEG_ID = Buffer.from('"leg_id":');

/**
 * A line of a decoded JSON-lines buffer: bytes `[start, end)`, newline excluded, and its row's identity
 * (undefined for a row without one).
 */
export interface LineRange {
  readonly start: number;
  readonly end: number;
  readonly identity: string | undefined;
}

/**
 * The lines of a gunzipped JSON-lines buffer as byte ranges, each with {@link rowIdentity} of its row, without
 * decoding the page into one string: publishing then passes the bytes on as they are, and an identity is a
 * string of its own rather than a slice that would keep the whole page alive.
 */
export function* lineRanges(table: Table, bytes: Buffer): Generator<LineRange> {
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline < 0 ? bytes.length : newline;
    const identity = identityOf(table, valueIn(bytes, CALL_ID, start, end), () =>
      valueIn(bytes, LEG_ID, start, end),
    );
    yield { start, end, identity };
    start = end + 1;
  }
}

// As valueAfter, on the bytes of one line.
function valueIn(bytes: Buffer, key: Buffer, start: number, end: number): string {
  const at = bytes.indexOf(key, start);
  if (at < 0 || at >= end) return '';
  const from = at + key.length;
  const stop = bytes[from] === QUOTE ? bytes.indexOf(QUOTE, from + 1) + 1 : bytes.indexOf(COMMA, from);
  return bytes.toString('utf8', from, stop <= 0 || stop > end ? end - 1 : stop);
}
