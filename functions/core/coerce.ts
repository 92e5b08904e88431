import type { ApiColumnType, ColumnType } from './columns-shared.js';
import { WalakeError } from './errors.js';
import { RawInteger } from './exact-json.js';

/** A value as it lands in a lake row (and in the JSON line Athena and DuckDB read). */
export type LakeValue = string | number | (string | null)[] | null;

/** What a coercion needs to name the culprit in an error. */
export interface FieldRef {
  readonly table: string;
  readonly apiName: string;
  readonly type: ColumnType;
}

/** What {@link coerce} returns for a value its column cannot hold without loss. */
export const MISMATCH: unique symbol = Symbol('type mismatch');

/**
 * An API row that cannot be placed at all: it is not an object, or it has no usable filter time (it would
 * belong to no window). A value that merely does not fit its column is no error: it is kept in `extra`.
 */
export class RowSchemaError extends WalakeError {
  override readonly name = 'RowSchemaError';
  override readonly retryable = false;
  constructor(
    readonly table: string,
    readonly field: string,
    readonly expected: string,
    readonly value: unknown,
  ) {
    super(
      `${table} field ${field}: expected ${expected}, got ${describe(value)}; if the API changed, ` +
        `fix the field's type in functions/core/columns-*.ts and rerun the window`,
    );
  }
}

function describe(value: unknown): string {
  if (value instanceof RawInteger) return `number ${value.raw}`;
  const text = JSON.stringify(value) ?? String(value);
  const kind = Array.isArray(value) ? 'array' : typeof value;
  return `${kind} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

function fail(ref: FieldRef, value: unknown): RowSchemaError {
  return new RowSchemaError(ref.table, ref.apiName, ref.type, value);
}

// A string is an integer without loss only in its canonical form: "01", " 1", "1e3" and "0x10" are refused.
function canonicalInt(text: string): number | undefined {
  const n = Number(text);
  return text !== '' && Number.isSafeInteger(n) && String(n) === text ? n : undefined;
}

/**
 * Coerces one API value to its column's type; `undefined` (field absent) is null.
 * @returns {@link MISMATCH} when the value does not fit the column without loss.
 */
export function coerce(type: ApiColumnType, value: unknown): LakeValue | typeof MISMATCH {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      // An id sent as a number: its decimal text is the id, unless JSON.parse already rounded it. One the
      // exact parser kept beyond 2^53 is its text as sent.
      if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) {
        return String(value);
      }
      if (typeof value === 'boolean') return String(value);
      return value instanceof RawInteger ? value.raw : MISMATCH;
    case 'local_time':
      if (typeof value === 'string') return value === '0' ? null : value;
      return value === 0 ? null : MISMATCH;
    case 'epoch_ms':
      return epochValue(value);
    case 'bigint': {
      const n =
        typeof value === 'number' ? value : typeof value === 'string' ? canonicalInt(value) : undefined;
      // Athena's bigint holds any of them; a number beyond 2^53 was rounded (or is a RawInteger): not kept here.
      return n !== undefined && Number.isSafeInteger(n) ? n : MISMATCH;
    }
    case 'string[]':
      return stringArray(value);
  }
}

// The API's `0` or `"0"` (never happened) is null; a numeric string is read as its number.
function epochValue(value: unknown): number | null | typeof MISMATCH {
  if (value === null || value === undefined || value === 0 || value === '0') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? canonicalInt(value) : undefined;
  return n !== undefined && Number.isSafeInteger(n) && n > 0 ? n : MISMATCH;
}

/**
 * An epoch-milliseconds value: the API's `0` or `"0"` (never happened) is null; a numeric string is read as
 * its number.
 * @throws RowSchemaError when the value is no epoch-milliseconds instant.
 */
export function epochMs(ref: FieldRef, value: unknown): number | null {
  const ms = epochValue(value);
  if (ms === MISMATCH) throw fail(ref, value);
  return ms;
}

function stringArray(value: unknown): (string | null)[] | typeof MISMATCH {
  if (!Array.isArray(value)) return MISMATCH;
  // The common case (all strings) keeps the parsed array as is: no copy per row.
  let i = 0;
  while (i < value.length && typeof value[i] === 'string') i++;
  if (i === value.length) return value as string[];
  const items: (string | null)[] = [];
  for (const item of value as unknown[]) {
    if (item === null || typeof item === 'string') items.push(item);
    else if (typeof item === 'number' && Number.isFinite(item)) items.push(String(item));
    else if (item instanceof RawInteger) items.push(item.raw);
    else return MISMATCH;
  }
  return items;
}

/** String methods of ES2024 that Node.js 20 has, though the ES2023 library types lack them. */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

const wellFormed = (text: string): boolean => (text as unknown as WellFormed).isWellFormed();
const repaired = (text: string): string => (text as unknown as WellFormed).toWellFormed();

/**
 * A value with every lone surrogate (text cut inside a pair, as a caller name truncated mid-emoji) replaced by
 * U+FFFD; undefined when it had none. JSON.stringify would write it as `\ud83d`, which is valid JSON but not
 * UTF-8 text: DuckDB (and other readers) refuse the whole file for it.
 */
export function repairedText(value: LakeValue): LakeValue | undefined {
  if (typeof value === 'string') return wellFormed(value) ? undefined : repaired(value);
  if (!Array.isArray(value)) return undefined;
  let i = 0;
  while (i < value.length && (value[i] === null || wellFormed(value[i] as string))) i++;
  if (i === value.length) return undefined;
  return value.map((item) => (item === null ? null : repaired(item)));
}
