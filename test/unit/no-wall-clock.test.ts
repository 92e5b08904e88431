import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The suite must pass on any date and at any hour, so no test chooses data, ranges or "now" from the machine's
 * clock: instants are fixed constants or an injected clock (test/support/clock.ts). Durations and deadlines
 * are measured with `performance.now()`, which says nothing about the date.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const SELF = join(import.meta.dirname, 'no-wall-clock.test.ts');
const WALL_CLOCK = [
  { pattern: /\bDate\.now\b/, what: 'Date.now' },
  { pattern: /new Date\(\s*\)/, what: 'new Date()' },
  { pattern: /\bvi\.(useFakeTimers|setSystemTime)\b/, what: 'a faked system clock (use an injected clock)' },
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    const isTest = entry.name.endsWith('.test.ts') && path !== SELF;
    const isSupport = relative(ROOT, dir).startsWith(join('test', 'support'));
    return isTest || isSupport ? [path] : [];
  });
}

/** Every use of the wall clock in the given sources, as `file:line: what`. */
function wallClockUses(files: string[]): string[] {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        line.trimStart().startsWith('//') || line.trimStart().startsWith('*')
          ? []
          : WALL_CLOCK.filter((w) => w.pattern.test(line)).map(
              (w) => `${relative(ROOT, file)}:${i + 1}: ${w.what}`,
            ),
      ),
  );
}

describe('tests never read the wall clock', () => {
  it('finds no Date.now, new Date() or faked system clock in test files and test support', () => {
    const files = testFiles(join(ROOT, 'test'));
    expect(files.length).toBeGreaterThan(30);
    expect(wallClockUses(files)).toEqual([]);
  });

  it('names each use it finds, and leaves comments and performance.now alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'walake-clock-'));
    try {
      const file = join(dir, 'sample.test.ts');
      const call = ['Date', 'now()'].join('.');
      writeFileSync(
        file,
        [
          `const a = ${call};`,
          `// ${call} in a comment`,
          'const b = performance.now();',
          `const c = new Date${'()'}; vi.${'setSystemTime'}(0);`,
        ].join('\n'),
      );
      expect(wallClockUses([file]).map((u) => u.replace(/^.*sample\.test\.ts/, ''))).toEqual([
        ':1: Date.now',
        ':4: new Date()',
        ':4: a faked system clock (use an injected clock)',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
