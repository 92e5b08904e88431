/** One line of the benchmark's table: what was measured, against which goal, and why it is met or not. */
export interface Figure {
  /** e.g. 'chain efficiency (pageSize 100)'. */
  readonly name: string;
  /** The measured value, formatted, e.g. '1.04 (wall 486 ms / 9 × 50 ms)'. */
  readonly value: string;
  /** The goal, e.g. '≤ 1.10'. */
  readonly goal: string;
  /** undefined: not measured (the reason is in `why`), or a context line with no goal of its own. */
  readonly met: boolean | undefined;
  /** The numbers behind the verdict: where the time (or memory) goes. */
  readonly why: string;
  /** The command that measures this figure alone, e.g. `npm run bench -- --only backfill`. */
  readonly command?: string;
}

/** The verdict column of a figure. */
export function verdict(figure: Figure): string {
  if (figure.met === undefined) return figure.goal === '' ? 'context' : 'not measured';
  return figure.met ? 'met' : 'NOT MET';
}
