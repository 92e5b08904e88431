import { describe, expect, it } from 'vitest';
import type { RunProgress } from '../../../functions/cli/local-run.js';
import { humanDuration, progressReporter } from '../../../functions/cli/run-output.js';

/** A stream that keeps what it was given, a terminal or not. */
function stream(isTTY: boolean) {
  let text = '';
  const write = (t: string) => {
    text += t;
  };
  return { isTTY, write, text: () => text };
}

const progress = (done: number, windows = 1440): RunProgress => ({
  windows,
  published: done,
  failed: 0,
  pages: done,
  rows: done * 100,
  ...(done ? { last: { table: 'call-legs', window: `w${done}`, rows: 100, verdict: 'match' } } : {}),
});

describe('progressReporter', () => {
  it('off a terminal, says it starts, then one line a minute with counts, rate and ETA, then one at the end', () => {
    let now = 0;
    const out = stream(false);
    const report = progressReporter(out, () => now);
    report(progress(0));
    // 1,440 windows published over 12 minutes, one progress call each: 14 lines, not 1,440.
    for (let done = 1; done <= 1440; done++) {
      now = done * 500;
      report(progress(done));
    }
    const lines = out.text().trimEnd().split('\n');
    expect(lines[0]).toBe('pulling 1440 windows');
    expect(lines).toHaveLength(1 + 11 + 1);
    expect(lines[1]).toBe(
      'progress: 120/1440 windows  120 pages  12000 rows  2.0 windows/s  ETA 11 min 00 s  last: call-legs w120 (match)',
    );
    expect(lines.at(-1)).toBe(
      'pulled 1440/1440 windows  1440 pages  144000 rows  2.0 windows/s  in 12 min 00 s',
    );
  });

  it('on a terminal, redraws one bar in place with the ETA, and ends it with a newline', () => {
    let now = 0;
    const out = stream(true);
    const report = progressReporter(out, () => now);
    report(progress(0, 4));
    now = 1000;
    report(progress(1, 4));
    now = 2000;
    report(progress(4, 4));
    const draws = out.text().split('\r').filter(Boolean);
    expect(draws[1]).toContain('1/4 windows  1 pages  100 rows  1.0 windows/s  ETA 3 s');
    expect(out.text().endsWith('in 2 s\u001b[K\n')).toBe(true);
    expect(out.text().split('\n')).toHaveLength(2);
  });

  it('prints durations as people read them', () => {
    expect([humanDuration(45_400), humanDuration(200_000), humanDuration(7_500_000)]).toEqual([
      '45 s',
      '3 min 20 s',
      '2 h 05 min',
    ]);
  });
});
