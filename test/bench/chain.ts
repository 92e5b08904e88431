import type { Figure } from './figure.js';
import { fixed, interleaved, median, spread } from './measure.js';
import { type Scenario, timeBaseline, timeLocalRun } from './scenario.js';
import { reportRequests, type SimProcess } from './sim-process.js';

/** What one pull asked of the API: the input of the API-efficiency figure. */
export interface ApiUse {
  label: string;
  requests: number;
  dataPages: number;
  windows: number;
}

/** One window pulled by `walake run` and by the naive baseline, several times, interleaved. */
export interface ChainCase {
  label: string;
  sim: SimProcess;
  scenario: Scenario;
  latencyMs: number;
  repeats: number;
}

/**
 * Chain efficiency (wall time of one window / requests × latency) and `walake run` against the naive baseline
 * on the same window. The baseline's time spent waiting for answers tells the API's own share (latency plus
 * the simulator rendering and sending the page), so what is left is the client's.
 */
export async function chainFigures(c: ChainCase): Promise<{ figures: Figure[]; api: ApiUse }> {
  const { sim, scenario } = c;
  // Warm-up, not measured: the simulator generates the window's calls on first use; V8 compiles the client.
  await timeLocalRun(sim, scenario, 1);
  await timeBaseline(sim, scenario);
  await sim.reset();
  const first = await timeLocalRun(sim, scenario, 1);
  const stats = await sim.stats();
  const requests = reportRequests(stats);
  const rows = first.summary.rows;
  const waits: number[] = [];
  const runs = await interleaved(c.repeats, {
    walake: async () => (await timeLocalRun(sim, scenario, 1)).ms,
    baseline: async () => {
      const { ms, result } = await timeBaseline(sim, scenario);
      if (result.requests !== requests) throw new Error('the baseline and walake asked different pages');
      waits.push(result.apiMs);
      return ms;
    },
  });
  const walake = median(runs.walake);
  const baseline = median(runs.baseline);
  const ideal = requests * c.latencyMs;
  const api = median(waits);
  const perRequest = (ms: number) => `${fixed(ms / requests, 1)} ms/request`;
  const efficiency = walake / ideal;
  const ratio = walake / baseline;
  const noise = Math.max(spread(runs.walake), spread(runs.baseline));
  const shape = `${rows} rows, pageSize ${scenario.pageSize}, ${requests} requests`;
  const figures: Figure[] = [
    {
      name: `chain efficiency, ${c.label} (${shape})`,
      value: `${fixed(efficiency, 2)} (${fixed(walake, 0)} ms / ${requests} × ${c.latencyMs} ms)`,
      goal: '≤ 1.10',
      met: efficiency <= 1.1,
      why:
        `of ${fixed(walake, 0)} ms: latency ${fixed(ideal, 0)} ms; the simulator rendering and sending pages ` +
        `${fixed(api - ideal, 0)} ms (${perRequest(api - ideal)}, the baseline's waits beyond latency, which ` +
        `no client avoids: alone they make ${fixed(api / ideal, 2)}); walake's own work ` +
        `${fixed(walake - api, 0)} ms (${perRequest(walake - api)}: parse, normalize, stage, queue, publish)`,
    },
    {
      name: `one window, walake run / naive baseline, ${c.label}`,
      value: `${fixed(ratio, 2)} (${fixed(walake, 0)} vs ${fixed(baseline, 0)} ms, spread ±${fixed(noise * 50, 0)} %)`,
      goal: '≤ 1.00',
      met: ratio <= 1,
      why:
        `both wait ${fixed(api, 0)} ms for the API; walake then works ${fixed(walake - api, 0)} ms ` +
        `(normalize, gzip, stage, publish), the baseline ${fixed(baseline - api, 0)} ms (parse, append JSON lines)`,
    },
  ];
  const apiUse = { label: c.label, requests, dataPages: stats.pagesServed, windows: first.summary.windows };
  return { figures, api: apiUse };
}

/** The API-efficiency figure over every pull measured: requests ≤ data pages + 1 per window. */
export function apiFigure(uses: readonly ApiUse[]): Figure {
  const over = uses.filter((u) => u.requests > u.dataPages + u.windows);
  const detail = uses
    .map(
      (u) =>
        `${u.label}: ${u.requests} requests for ${u.dataPages} data pages + ${u.windows} window${u.windows === 1 ? '' : 's'}`,
    )
    .join('; ');
  const total = uses.reduce((s, u) => s + u.requests, 0);
  const allowed = uses.reduce((s, u) => s + u.dataPages + u.windows, 0);
  return {
    name: 'API efficiency without faults',
    value: `${total} requests, allowed ${allowed}`,
    goal: 'requests ≤ data pages + 1 per window',
    met: over.length === 0,
    why: `${detail}. The +1 is the final "No Data" answer that ends each chain`,
  };
}
