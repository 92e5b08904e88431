import type { Output } from './command.js';
/** Prints query rows as an aligned text table (numbers right-aligned), as a terminal reader expects. */
export function printTable(stream: Output, rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    stream.write('(no rows)\n');
    return;
  }
  const columns = Object.keys(rows[0] ?? {});
  const cells = rows.map((row) => columns.map((c) => format(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = columns.map((c) => rows.every((row) => typeof row[c] === 'number' || row[c] === null));
  const line = (values: string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ');
  stream.write(`${line(columns)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of cells) stream.write(`${line(row).trimEnd()}\n`);
}

function format(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
