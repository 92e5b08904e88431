import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeLines } from '../../functions/core/lake-lines.js';
import { normalizeRow } from '../../functions/core/record-schema.js';
import { type Table, tableFolder } from '../../functions/core/tables.js';
import type { ApiRow, Simulator } from '../../functions/simulator/index.js';
import { frozen, INSTANTS } from '../support/clock.js';
import { localLakes, runAgainst } from '../support/local-lake.js';

export const HOUR = 3_600_000;
/** The busy afternoon of a weekday (13:00 to 19:00 UTC), pulled the next midnight: fixed instants only. */
export const RANGE = INSTANTS.busyHours(6);
export const NOW = INSTANTS.afterBusyDay;

/** Simulators and lake folders on the fixed clock. */
export const analyticsLakes = () => localLakes({ now: () => NOW });

/** Pulls the busy afternoon into `out`; the simulator's truth for it, per table. */
export async function pullBusyAfternoon(sim: Simulator, out: string) {
  const summary = await runAgainst(sim, out, { ...RANGE, pageSize: 7000, clock: frozen(NOW) });
  if (summary.failed > 0 || summary.mismatches.length > 0) {
    throw new Error(`the pull did not publish cleanly: ${JSON.stringify(summary.failures)}`);
  }
  return {
    legs: sim.truth({ table: 'call-legs', ...RANGE }),
    records: sim.truth({ table: 'call-records', ...RANGE }),
  };
}

/**
 * Adds rows to a lake as one more object of a day, normalized by the record schema as the worker does: for
 * shapes the simulator never produces (callbacks, calls linked across call ids).
 */
export function addRows(out: string, table: Table, day: string, rows: readonly ApiRow[]): void {
  const lineage = { ingestedAt: `${day}T23:00:00.000Z`, attempt: 1, windowStart: `${day}T00:00:00.000Z` };
  const dir = join(out, 'lake', tableFolder(table), `dt=${day}`);
  mkdirSync(dir, { recursive: true });
  const lakeRows = rows.map((row) => normalizeRow(table, row, lineage).row);
  writeFileSync(join(dir, 'zz-added.json.gz'), encodeLines(lakeRows));
}

/** `2026-06-10 13:00:00`: how DuckDB gives a TIMESTAMP in JSON. */
export const tsText = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.?0*Z$/, '');

/** Groups values by a key, keeping insertion order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
