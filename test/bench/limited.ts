import type { ApiFindings } from '../../functions/core/manifest.js';
import type { Figure } from './figure.js';
import { fixed } from './measure.js';
import { type Scenario, timeLocalRun } from './scenario.js';
import type { SimProcess } from './sim-process.js';

/**
 * A long backfill against an API that allows `perSecond` report requests a second (429 with Retry-After: 1
 * above it): its floor is the requests it needs ÷ the limit. walake's adaptive concurrency should keep close
 * to it (it halves on 429s and rises again while answers are fast), and no window may fail.
 */
export async function limitedBackfillFigure(
  sim: SimProcess,
  scenario: Scenario,
  options: { perSecond: number; concurrency: number; findings?: ApiFindings },
): Promise<Figure> {
  await sim.setRateLimit(undefined);
  await timeLocalRun(sim, scenario, options.concurrency, options.findings); // warm-up: the calls are generated
  // Without the limit: what this machine's client and simulator manage on their own (the other floor).
  const free = await timeLocalRun(sim, scenario, options.concurrency, options.findings);
  await sim.setRateLimit(options.perSecond);
  await sim.reset();
  const { ms, summary } = await timeLocalRun(sim, scenario, options.concurrency, options.findings);
  const stats = await sim.stats();
  await sim.setRateLimit(undefined);
  // Report requests answered with a page (the token endpoint's 200s are not the API's limit).
  const answered = (stats.responses[200] ?? 0) - stats.logins;
  const throttled = stats.responses[429] ?? 0;
  const floor = (answered / options.perSecond) * 1000;
  const ratio = ms / floor;
  const days = Math.round((scenario.toMs - scenario.fromMs) / 86_400_000);
  const c = summary.concurrency;
  return {
    name: `${days}-day backfill against an API limited to ${options.perSecond} requests/s, wall time / floor`,
    value: `${fixed(ratio, 2)} (${fixed(ms / 1000, 1)} s vs ${fixed(floor / 1000, 1)} s); ${summary.failed} failed windows`,
    goal: '≤ 1.20, no failed window',
    met: ratio <= 1.2 && summary.failed === 0,
    why:
      `${summary.windows} windows, ${summary.rows} rows, ${summary.endedEarly} ended on their last data page; ` +
      `${answered} requests answered (the floor is ` +
      `${answered} ÷ ${options.perSecond}/s), ${throttled} answered 429 and retried after Retry-After; chains in ` +
      `flight at most ${options.concurrency}: from ${Math.max(1, Math.floor(options.concurrency / 2))} they ` +
      `rose to ${c.peak} and ended at ${c.limit}, halved ${c.halvings} times and raised ${c.raises} times; ` +
      (summary.pace.perSecond === undefined
        ? 'no pace was learnt; '
        : `requests paced at ${fixed(summary.pace.perSecond, 1)}/s at the end, learnt from ${summary.pace.cuts} 429s and tried faster ${summary.pace.probes} times; `) +
      `the same backfill without the limit took ${fixed(free.ms / 1000, 1)} s on this machine`,
  };
}
