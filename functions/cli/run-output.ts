import type { Output } from './command.js';
import type { RunProgress, RunSummary } from './local-run.js';

/** A duration for people: `45 s`, `3 min 20 s`, `2 h 05 min`. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Windows done, the rate since the first progress, and the time left at that rate. */
function progressLine(p: RunProgress, elapsedMs: number): string {
  const done = p.published + p.failed;
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const left = p.windows - done;
  const eta =
    left === 0
      ? `in ${humanDuration(elapsedMs)}`
      : rate > 0
        ? `ETA ${humanDuration((left / rate) * 1000)}`
        : 'ETA …';
  return (
    `${done}/${p.windows} windows  ${p.pages} pages  ${p.rows} rows  ${rate.toFixed(1)} windows/s  ${eta}` +
    (p.failed ? `  ${p.failed} failed` : '')
  );
}

/**
 * Progress of a run on stderr, so stdout keeps only the summary: on a terminal, a bar with counts, rate and
 * ETA redrawn in place; otherwise (logs, CI) a line when the run starts pulling, a line a minute (`everyMs`)
 * with the same counts, and a line at the end. `now` is the run's clock in milliseconds.
 */
export function progressReporter(
  stream: Output,
  now: () => number = () => performance.now(),
  everyMs = 60_000,
): (progress: RunProgress) => void {
  let startedAt: number | undefined;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let ended = false;
  return (p) => {
    const at = now();
    startedAt ??= at;
    const done = p.published + p.failed;
    const finished = done >= p.windows;
    if (ended) return;
    if (stream.isTTY) {
      if (at - lastDraw < 100 && !finished) return;
      lastDraw = at;
      const width = 30;
      const filled = p.windows === 0 ? width : Math.round((done / p.windows) * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      stream.write(`\r${bar} ${progressLine(p, at - startedAt)}\u001b[K`);
      if (finished) {
        stream.write('\n');
        ended = true;
      }
      return;
    }
    if (lastDraw === Number.NEGATIVE_INFINITY) {
      lastDraw = at;
      stream.write(`pulling ${p.windows} windows\n`);
      if (!finished) return;
    }
    if (finished) {
      stream.write(`pulled ${progressLine(p, at - startedAt)}\n`);
      ended = true;
      return;
    }
    if (at - lastDraw < everyMs) return;
    lastDraw = at;
    const last = p.last ? `  last: ${p.last.table} ${p.last.window} (${p.last.verdict})` : '';
    stream.write(`progress: ${progressLine(p, at - startedAt)}${last}\n`);
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
  if (s.pace.perSecond !== undefined)
    lines.push(
      `requests paced at ${s.pace.perSecond.toFixed(1)}/s at the end: learnt from ${s.pace.cuts} 429s, ` +
        `tried faster ${s.pace.probes} times`,
    );
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
