import { describe, expect, it } from 'vitest';
import { cellWidth, formatCell, printTable } from '../../../functions/cli/table-output.js';

function table(rows: Record<string, unknown>[]): string[] {
  let out = '';
  printTable({ write: (text: string) => (out += text) }, rows);
  return out.trimEnd().split('\n');
}

describe('printTable', () => {
  it('keeps a row on one line when a value holds a line break or a tab', () => {
    const lines = table([
      { name: 'Sales\nEast', n: 1 },
      { name: 'a\tb', n: 2 },
    ]);
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('Sales\\nEast  1');
    expect(lines[3]).toBe('a\\tb         2');
  });

  it('aligns columns after CJK names, which take two cells a character', () => {
    const lines = table([
      { name: '営業部', calls: 12 },
      { name: 'Support', calls: 3 },
    ]);
    expect(lines.map(cellWidth)).toEqual([14, 14, 14, 14]);
    expect(lines[2]).toBe('営業部      12');
  });

  it('prints a fraction as a person writes it, and right-aligns bigints', () => {
    expect(formatCell(0.10400000000000001)).toBe('0.104');
    expect(formatCell(1 / 3)).toBe('0.333333333333333');
    expect(formatCell(12)).toBe('12');
    const lines = table([{ rows: 5n }, { rows: 12345n }]);
    expect(lines[2]).toBe('    5');
  });
});

describe('cellWidth', () => {
  it.each([
    ['abc', 3],
    ['営業', 4],
    ['café', 4],
    ['e\u0301', 1],
    ['한국', 4],
    ['ｆｕｌｌ', 8],
  ])('%s takes %i cells', (text, width) => {
    expect(cellWidth(text)).toBe(width);
  });
});
