import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ApiFindings } from '../../functions/core/manifest.js';
import type { ApiUse } from './chain.js';
import type { Figure } from './figure.js';
import { fixed, interleaved, median } from './measure.js';
import { type Scenario, timeBaseline, timeLocalRun } from './scenario.js';
import { reportRequests, type SimProcess } from './sim-process.js';

/**
 * A backfill of many windows: `walake run` with up to `concurrency` chains (adaptive: it starts at half and
 * rises while the API answers fast) against the sequential loop a person would write first. The event loop's
 * utilization during the parallel run says whether the client's one thread, rather than the API, bounds it.
 */
export async function backfillFigures(
  sim: SimProcess,
  scenario: Scenario,
  options: { latencyMs: number; repeats: number; concurrency: number; findings?: ApiFindings; goal: number },
): Promise<{ figures: Figure[]; api: ApiUse }> {
  const { latencyMs, concurrency, findings } = options;
  await timeLocalRun(sim, scenario, concurrency, findings); // warm-up: the simulator generates the calls
  await sim.reset();
  const probe = await timeLocalRun(sim, scenario, concurrency, findings);
  const stats = await sim.stats();
  const requests = reportRequests(stats);
  const busy: number[] = [];
  const cpu: number[] = [];
  let loopRequests = 0;
  const runs = await interleaved(options.repeats, {
    walake: async () => {
      const before = performance.eventLoopUtilization();
      const cpuBefore = process.cpuUsage();
      const { ms } = await timeLocalRun(sim, scenario, concurrency, findings);
      busy.push(performance.eventLoopUtilization(before).utilization);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      return ms;
    },
    loop: async () => {
      const { ms, result } = await timeBaseline(sim, scenario);
      loopRequests = result.requests;
      return ms;
    },
  });
  const walake = median(runs.walake);
  const loop = median(runs.loop);
  const windows = probe.summary.windows;
  const speedup = loop / walake;
  const floor = Math.ceil(windows / concurrency) * (requests / windows) * latencyMs;
  const days = Math.round((scenario.toMs - scenario.fromMs) / 86_400_000);
  const c = probe.summary.concurrency;
  const figures: Figure[] = [
    {
      name: `${days}-day backfill, sequential loop / walake run at c = ${concurrency}, ${latencyMs} ms a request`,
      value: `${fixed(speedup, 2)}× (${fixed(loop / 1000, 1)} s vs ${fixed(walake / 1000, 2)} s)`,
      goal: `≥ ${options.goal}×`,
      met: speedup >= options.goal,
      why:
        `${windows} hourly windows, ${probe.summary.rows} rows; walake asked ${requests} requests ` +
        `(${probe.summary.endedEarly} windows ended on their last data page), the loop ${loopRequests} at ` +
        `${fixed(loop / (loopRequests * latencyMs), 2)} × requests × latency; walake ran at ` +
        `${fixed(walake / floor, 2)} × the floor of ${concurrency} chains always in flight ` +
        `(${fixed(floor / 1000, 2)} s), rising from ${Math.max(1, Math.floor(concurrency / 2))} to ${c.peak} ` +
        `chains (${c.halvings} halvings); the event loop was busy ${fixed(median(busy) * 100, 0)} % of the ` +
        `run, and the client used ${fixed(median(cpu) / windows, 1)} ms of CPU per window on ${cpus().length} cores`,
    },
  ];
  return { figures, api: { label: `${days}-day backfill`, requests, dataPages: stats.pagesServed, windows } };
}
