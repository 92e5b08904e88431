import { columnsOf, type LakeRow } from '../../../functions/core/record-schema.js';

/**
 * A day of call legs for the Parquet writer benchmark, built from the record schema: every column of
 * `call-legs`, each filled by its type with the cardinality a real day has (unique call ids, a few hundred
 * names, a handful of PBXes, a third of the legs never connected, 1 % with drift in `extra`). Deterministic:
 * the same `count` always gives the same rows, so a reader's copy can be compared with a fresh one.
 */

/** The benchmark's day: 2026-06-10 UTC. */
export const DAY_START_MS = Date.UTC(2026, 5, 10);

/** The kinds of column a candidate writer must write, with the Athena type each stands for. */
export type BenchKind = 'string' | 'int64' | 'int32' | 'strings' | 'boolean';

/** A column the candidates write: its name and kind. */
export interface BenchColumn {
  readonly name: string;
  readonly kind: BenchKind;
}

const KIND = {
  string: 'string',
  local_time: 'string',
  epoch_ms: 'int64',
  bigint: 'int64',
  int: 'int32',
} as const;

/** The columns of `call-legs` as the candidates write them. */
export const LEG_COLUMNS: readonly BenchColumn[] = columnsOf('call-legs').map((c) => ({
  name: c.name,
  kind: c.type === 'string[]' ? 'strings' : KIND[c.type],
}));

// mulberry32: small, fast, good enough to spread values; seeded per row so any row can be rebuilt alone.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const UNIQUE = new Set(['call_id', 'sip_call_id', 'parent_call_id', 'transfer_to_call_id']);
const DEPARTMENTS = ['Sales', 'Support', 'Billing', 'Onboarding', 'Field Ops', 'Zoë’s team'];

const localTime = (ms: number): string => new Date(ms - 5 * 3_600_000).toISOString().replace('Z', '-0500');

/** Row `i` of the day. */
export function dayRow(i: number): LakeRow {
  const r = random(i * 2_654_435_761);
  const startMs = DAY_START_MS + ((i * 431) % 86_400_000);
  const connected = r() > 0.33;
  const row: LakeRow = {};
  for (const { name, type } of columnsOf('call-legs')) {
    const p = r();
    switch (type) {
      case 'string':
        row[name] = UNIQUE.has(name)
          ? p < 0.2 && name !== 'call_id'
            ? null
            : `${1_700_000_000_000 + i * 7}${name === 'sip_call_id' ? '@10.0.0.1' : ''}`
          : p < 0.1
            ? null
            : `${name.slice(0, 6)} ${Math.floor(p * (name.endsWith('name') ? 400 : 12))}`;
        break;
      case 'local_time':
        row[name] =
          name.startsWith('connect') && !connected ? null : localTime(startMs + Math.floor(p * 9e5));
        break;
      case 'epoch_ms':
        row[name] = name.startsWith('connect') && !connected ? null : startMs + Math.floor(p * 9e5);
        break;
      case 'bigint':
        row[name] = p < 0.05 ? null : Math.floor(p * 3_600_000);
        break;
      case 'int':
        row[name] = 1;
        break;
      case 'string[]':
        row[name] =
          p < 0.1
            ? null
            : p < 0.2
              ? []
              : DEPARTMENTS.slice(Math.floor(p * 4), Math.floor(p * 4) + 1 + (i % 2));
        break;
    }
  }
  row.extra = r() < 0.01 ? `{"newField":{"n":${i}},"departmentIds":["${i % 9}"]}` : null;
  row._ingested_at = new Date(startMs + 7_200_000).toISOString();
  row._window_start = new Date(startMs - (startMs % 3_600_000)).toISOString();
  return row;
}

/** Rows `0..count-1` of the day, one at a time (a compaction streams them in from the day's windows). */
export function* dayRows(count: number): Generator<LakeRow> {
  for (let i = 0; i < count; i++) yield dayRow(i);
}

/**
 * The rows of the types probe: what Athena needs of a Parquet file beyond the day's columns. 64-bit integers
 * at both ends and beyond 2^53, nulls in every column, [] and null and a null item in arrays, booleans, and
 * an `extra` JSON text with a quote and a non-ASCII letter.
 */
export const PROBE_COLUMNS: readonly BenchColumn[] = [
  { name: 'id', kind: 'string' },
  { name: 'n', kind: 'int64' },
  { name: 'tags', kind: 'strings' },
  { name: 'flag', kind: 'boolean' },
  { name: 'extra', kind: 'string' },
];

export const PROBE_ROWS: readonly Record<string, unknown>[] = [
  { id: 'max', n: 2n ** 63n - 1n, tags: ['a', 'b'], flag: true, extra: '{"q":"\\"Zoë\\""}' },
  { id: 'min', n: -(2n ** 63n), tags: [], flag: false, extra: null },
  { id: '2^53+1', n: 2n ** 53n + 1n, tags: null, flag: null, extra: '{}' },
  { id: 'nulls', n: null, tags: ['x', null], flag: true, extra: null },
  { id: null, n: 0n, tags: [''], flag: false, extra: '' },
];
