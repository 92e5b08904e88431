import type { Output } from './command.js';
/**
 * Prints query rows as an aligned text table (numbers right-aligned), as a terminal reader expects: columns
 * are measured in terminal cells (a CJK character takes two, a combining mark none), and a line break or tab
 * inside a value is shown as `\n` or `\t`, so that every row stays one line.
 */
export function printTable(stream: Output, rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    stream.write('(no rows)\n');
    return;
  }
  const columns = Object.keys(rows[0] ?? {});
  const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
  const header = columns.map(formatCell);
  const widths = header.map((h, i) => Math.max(cellWidth(h), ...cells.map((r) => cellWidth(r[i] ?? ''))));
  const numeric = columns.map((c) =>
    rows.every((row) => typeof row[c] === 'number' || typeof row[c] === 'bigint' || row[c] === null),
  );
  const pad = (value: string, i: number) => {
    const room = ' '.repeat(Math.max(0, (widths[i] ?? 0) - cellWidth(value)));
    return numeric[i] ? room + value : value + room;
  };
  const line = (values: string[]) => values.map(pad).join('  ');
  stream.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of cells) stream.write(`${line(row).trimEnd()}\n`);
}

/** A value as one line of text; a fraction at 15 significant digits (`0.104`, not `0.10400000000000001`). */
export function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' && !Number.isInteger(value) && Number.isFinite(value))
    return String(Number(value.toPrecision(15)));
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replace(/\p{Cc}/gu, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** East Asian wide and fullwidth ranges (Unicode UAX #11), and the emoji blocks terminals draw two cells wide. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufeff]/u;

/** The terminal cells a line of text takes. */
export function cellWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    if (ZERO_WIDTH.test(char)) continue;
    const code = char.codePointAt(0) ?? 0;
    width += WIDE.some(([lo, hi]) => code >= lo && code <= hi) ? 2 : 1;
  }
  return width;
}
