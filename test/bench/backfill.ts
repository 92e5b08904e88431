import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ApiUse } from './chain.js';
import type { Figure } from './figure.js';
import { fixed, interleaved, median } from './measure.js';
import { type Scenario, timeBaseline, timeLocalRun } from './scenario.js';
import { reportRequests, type SimProcess } from './sim-process.js';

/**
 * A backfill: many windows pulled with 8 chains in parallel, against 1 chain and against the sequential naive
 * baseline. The event loop's utilization during the parallel run says whether the client's one thread, rather
 * than the API, bounds it.
 */
export async function backfillFigures(
  sim: SimProcess,
  scenario: Scenario,
  latencyMs: number,
  repeats: number,
): Promise<{ figures: Figure[]; api: ApiUse }> {
  await timeLocalRun(sim, scenario, 8); // warm-up: the simulator generates the week's calls
  await sim.reset();
  const probe = await timeLocalRun(sim, scenario, 8);
  const stats = await sim.stats();
  const requests = reportRequests(stats);
  const busy: number[] = [];
  const cpu: number[] = [];
  const simCpu: number[] = [];
  const runs = await interleaved(repeats, {
    c1: async () => (await timeLocalRun(sim, scenario, 1)).ms,
    c8: async () => {
      const before = performance.eventLoopUtilization();
      const cpuBefore = process.cpuUsage();
      const simBefore = await sim.cpuMs();
      const { ms } = await timeLocalRun(sim, scenario, 8);
      simCpu.push((await sim.cpuMs()) - simBefore);
      busy.push(performance.eventLoopUtilization(before).utilization);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      return ms;
    },
    baseline: async () => (await timeBaseline(sim, scenario)).ms,
  });
  const c1 = median(runs.c1);
  const c8 = median(runs.c8);
  const baseline = median(runs.baseline);
  const windows = probe.summary.windows;
  const ideal = requests * latencyMs;
  const idealC8 = Math.ceil(windows / 8) * (requests / windows) * latencyMs;
  const shape = `${windows} hourly windows, ${probe.summary.rows} rows, ${requests} requests`;
  const speedup = c1 / c8;
  const versusBaseline = baseline / c8;
  const figures: Figure[] = [
    {
      name: `parallel backfill, concurrency 8 vs 1 (${shape})`,
      value: `${fixed(speedup, 2)}× (${fixed(c1 / 1000, 1)} s vs ${fixed(c8 / 1000, 2)} s)`,
      goal: '≥ 6×',
      met: speedup >= 6,
      why:
        `concurrency 1 runs at ${fixed(c1 / ideal, 2)} × requests × latency; concurrency 8 at ` +
        `${fixed(c8 / idealC8, 2)} × its floor of ${fixed(idealC8 / 1000, 2)} s (8 chains of ` +
        `${fixed(requests / windows, 1)} requests); the event loop was busy ${fixed(median(busy) * 100, 0)} % ` +
        `of the parallel run, and the client used ${fixed(median(cpu) / windows, 1)} ms of CPU per window ` +
        `(${fixed(median(cpu) / 1000, 1)} s in all) and the simulator ${fixed(median(simCpu) / 1000, 1)} s, on ` +
        `${cpus().length} cores`,
    },
    {
      name: 'backfill, naive sequential baseline / walake run concurrency 8',
      value: `${fixed(versusBaseline, 2)}× (${fixed(baseline / 1000, 1)} s vs ${fixed(c8 / 1000, 2)} s)`,
      goal: 'much faster: ≥ 6×',
      met: versusBaseline >= 6,
      why: `the baseline runs at ${fixed(baseline / ideal, 2)} × requests × latency, one request at a time`,
    },
  ];
  return {
    figures,
    api: { label: 'backfill', requests, dataPages: stats.pagesServed, windows },
  };
}
