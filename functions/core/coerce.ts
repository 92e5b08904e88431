import type { ColumnType } from './columns-shared.js';

/** A value as it lands in a lake row (and in the JSON line Athena and DuckDB read). */
export type LakeValue = string | number | (string | null)[] | null;

/** What a coercion needs to name the culprit in an error. */
export interface FieldRef {
  readonly table: string;
  readonly apiName: string;
  readonly type: ColumnType;
}

const INT32_MAX = 2_147_483_647;

/**
 * An API value that its column cannot hold without loss. Thrown rather than dropped so that a changed API
 * stops the chain visibly: fix the field's type in `functions/core/columns-*.ts`, then rerun the window.
 */
export class RowSchemaError extends Error {
  override readonly name = 'RowSchemaError';
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

/** Coerces one API value to its column's type; `undefined` (field absent) is null. */
export function coerce(ref: FieldRef, value: unknown): LakeValue {
  if (value === null || value === undefined) return null;
  switch (ref.type) {
    case 'string':
      if (typeof value === 'string') return value;
      // An id sent as a number: its decimal text is the id, unless JSON.parse already rounded it.
      if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) {
        return String(value);
      }
      if (typeof value === 'boolean') return String(value);
      throw fail(ref, value);
    case 'local_time':
      if (typeof value === 'string') return value === '0' ? null : value;
      if (value === 0) return null;
      throw fail(ref, value);
    case 'epoch_ms':
      return epochMs(ref, value);
    case 'int': {
      const n =
        typeof value === 'number' ? value : typeof value === 'string' ? canonicalInt(value) : undefined;
      // Athena's int is 32-bit: a larger value would read back as null, so it is refused here instead.
      if (n !== undefined && Number.isInteger(n) && Math.abs(n) <= INT32_MAX) return n;
      throw fail(ref, value);
    }
    case 'string[]':
      return stringArray(ref, value);
  }
}

/**
 * An epoch-milliseconds value: the API's `0` or `"0"` (never happened) is null; a numeric string is read as
 * its number.
 */
export function epochMs(ref: FieldRef, value: unknown): number | null {
  if (value === null || value === undefined || value === 0 || value === '0') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? canonicalInt(value) : undefined;
  if (n !== undefined && Number.isSafeInteger(n) && n > 0) return n;
  throw fail(ref, value);
}

function stringArray(ref: FieldRef, value: unknown): (string | null)[] {
  if (!Array.isArray(value)) throw fail(ref, value);
  // The common case (all strings) keeps the parsed array as is: no copy per row.
  let i = 0;
  while (i < value.length && typeof value[i] === 'string') i++;
  if (i === value.length) return value as string[];
  return value.map((item: unknown) => {
    if (item === null || typeof item === 'string') return item;
    if (typeof item === 'number' && Number.isFinite(item)) return String(item);
    throw fail(ref, value);
  });
}
