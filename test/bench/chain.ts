import type { ApiFindings } from '../../functions/core/manifest.js';
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
  /** What the probe found, recorded in each lake (so chains may end on their last data page). */
  findings?: ApiFindings;
  /** The goal of walake run / the naive baseline on one window (default ≤ 1.05). */
  ratioGoal?: number;
}

/**
 * Chain efficiency (wall time of one window / requests × latency) and `walake run` against the naive baseline
 * on the same window. The baseline's time spent waiting for answers tells the API's own share (latency plus
 * the simulator rendering and sending the page), so what is left is the client's.
 */
export async function chainFigures(c: ChainCase): Promise<{ figures: Figure[]; api: ApiUse }> {
  const { sim, scenario } = c;
  // Warm-up, not measured: the simulator generates the window's calls on first use; V8 compiles the client.
  await timeLocalRun(sim, scenario, 1, c.findings);
  await timeBaseline(sim, scenario);
  await sim.reset();
  const first = await timeLocalRun(sim, scenario, 1, c.findings);
  const stats = await sim.stats();
  const requests = reportRequests(stats);
  const rows = first.summary.rows;
  const waits: number[] = [];
  let baselineRequests = 0;
  const runs = await interleaved(c.repeats, {
    walake: async () => (await timeLocalRun(sim, scenario, 1, c.findings)).ms,
    baseline: async () => {
      const { ms, result } = await timeBaseline(sim, scenario);
      baselineRequests = result.requests;
      waits.push((result.apiMs * requests) / result.requests); // the API's time for walake's requests
      return ms;
    },
  });
  const goal = c.ratioGoal ?? 1.05;
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
      name: `one chain, walake run / sequential loop, ${c.label}`,
      value: `${fixed(ratio, 2)} (${fixed(walake, 0)} vs ${fixed(baseline, 0)} ms, spread ±${fixed(noise * 50, 0)} %)`,
      goal: `≤ ${fixed(goal, 2)}`,
      met: ratio <= goal,
      why:
        `walake asked ${requests} requests (${first.summary.endedEarly} of ${first.summary.windows} windows ` +
        `ended on their last data page), the loop ${baselineRequests} (it always asks for "No Data"); walake ` +
        `waits about ${fixed(api, 0)} ms for the API and works ${fixed(walake - api, 0)} ms (normalize, gzip, ` +
        `stage, publish), the loop ${fixed(baseline - (api * baselineRequests) / requests, 0)} ms (parse, ` +
        'append JSON lines)',
    },
  ];
  const apiUse = { label: c.label, requests, dataPages: stats.pagesServed, windows: first.summary.windows };
  return { figures, api: apiUse };
}

/** The API-efficiency figure over every pull measured: requests per window, and the share carrying data. */
export function apiFigure(uses: readonly ApiUse[]): Figure {
  const over = uses.filter((u) => u.requests > u.dataPages + u.windows);
  const detail = uses
    .map(
      (u) =>
        `${u.label}: ${u.requests} requests for ${u.dataPages} data pages + ${u.windows} window${u.windows === 1 ? '' : 's'}`,
    )
    .join('; ');
  const total = uses.reduce((s, u) => s + u.requests, 0);
  const data = uses.reduce((s, u) => s + u.dataPages, 0);
  const windows = uses.reduce((s, u) => s + u.windows, 0);
  return {
    name: 'requests per window, and the share of requests that carried data (no faults)',
    value: `${fixed(total / windows, 2)} per window; ${fixed((100 * data) / total, 0)} % carried data (${data} of ${total})`,
    goal: 'requests ≤ data pages + 1 per window',
    met: over.length === 0,
    why:
      `${detail}. A chain ends on its last data page where walake probe found full pages until the last ` +
      '(recorded in the lake\'s manifest); elsewhere it asks once more, for "No Data"',
  };
}
