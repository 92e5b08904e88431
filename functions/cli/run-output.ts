import type { Output } from './command.js';
import type { RunProgress, RunSummary } from './local-run.js';

/**
 * Progress of a run on stderr: a bar redrawn in place on a terminal, or one quiet line per published window
 * otherwise (logs and CI), so stdout keeps only the summary.
 */
export function progressReporter(stream: Output): (progress: RunProgress) => void {
  let lastLine = '';
  let lastDraw = 0;
  return (p) => {
    if (stream.isTTY) {
      const now = performance.now();
      const done = p.published + p.failed;
      if (now - lastDraw < 100 && done < p.windows) return;
      lastDraw = now;
      const width = 30;
      const filled = p.windows === 0 ? width : Math.round((done / p.windows) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      stream.write(
        `\r${bar} ${done}/${p.windows} windows  ${p.pages} pages  ${p.rows} rows${p.failed ? `  ${p.failed} failed` : ''}\u001b[K`,
      );
      if (done === p.windows) stream.write('\n');
      return;
    }
    if (!p.last) return;
    const line = `published ${p.last.table} ${p.last.window}: ${p.last.rows} rows (${p.last.verdict}) [${p.published}/${p.windows}]`;
    if (line !== lastLine) stream.write(`${line}\n`);
    lastLine = line;
  };
}

/** The end-of-run summary on stdout. */
export function printSummary(stream: Output, s: RunSummary, out: string): void {
  const lines = [
    `windows: ${s.published} published of ${s.windows}${s.failed ? `, ${s.failed} failed` : ''}`,
    `rows: ${s.rows} in ${s.pages} pages; ${s.requests} API requests, ${s.retries} retries, ${s.logins} logins${s.restarts ? `, ${s.restarts} restarted chains` : ''}`,
    `lake: ${out}`,
    `time: ${(s.durationMs / 1000).toFixed(1)} s`,
    `chains in flight: up to ${s.concurrency.peak} of ${s.concurrency.cap}` +
      (s.concurrency.halvings ? `, halved ${s.concurrency.halvings} times on 429/5xx` : ''),
  ];
  if (s.endedEarly)
    lines.push(`ended on their last data page (no "No Data" request): ${s.endedEarly} windows`);
  if (s.earlyEndsRevised)
    lines.push(
      `early ends contradicted: ${s.earlyEndsRevised} windows whose earlier early-ended pull had another total ` +
        '(pulled again and counted; if this repeats, run `walake probe` or set --no-early-end)',
    );
  if (s.cutAtMs !== undefined)
    lines.push(
      `range cut at ${new Date(s.cutAtMs).toISOString()}: later windows have not ended yet; run again after`,
    );
  if (s.quarantined)
    lines.push(
      `quarantined: ${s.quarantined} rows outside their window on the filter field, kept under quarantine/ ` +
        '(not in the tables); run `walake probe` to measure the filter field',
    );
  if (s.typeMismatches)
    lines.push(
      `type mismatches: ${s.typeMismatches} rows with a value that did not fit its column (in "extra")`,
    );
  if (s.mismatches.length)
    lines.push(`reconciliation mismatches (${s.mismatches.length}):`, ...s.mismatches.map((m) => `  ${m}`));
  if (s.driftFields.length)
    lines.push(`fields the docs never listed (kept in "extra"): ${s.driftFields.join(', ')}`);
  if (s.superseded.length) {
    lines.push(
      `not published by this run (${s.superseded.length}): another chain took the window over (a second run ` +
        'or a rerun at the same time); run again once it has ended:',
      ...s.superseded.map((w) => `  ${w.table} ${w.window}: superseded by ${w.by}`),
    );
  }
  if (s.failures.length) {
    lines.push('failed chains (what was published stays published; rerun these windows):');
    lines.push(...s.failures.map((f) => `  ${f.chain}: ${f.error}`));
  }
  stream.write(`${lines.join('\n')}\n`);
}
