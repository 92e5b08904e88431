import {
  type SimulatorOptions,
  type SimulatorStats,
  startSimulator,
} from '../../functions/simulator/index.js';

/**
 * The simulator in a process of its own, for the benchmarks: generating and rendering pages costs CPU that must
 * not share the event loop of the client being measured (a real API does not either). Options come as JSON in
 * argv[2]; the parent talks to it over IPC (see sim-process.ts).
 */
export type SimRequest =
  | { id: number; kind: 'stats' }
  | { id: number; kind: 'reset' }
  | { id: number; kind: 'latency'; ms: number }
  | { id: number; kind: 'rate'; perSecond: number | undefined };

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('sim-child.js must be started with an IPC channel (child_process.fork)');
  // A clock cannot travel as JSON: the parent sends the instant the simulator runs at.
  const { nowMs, ...options } = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions & { nowMs?: number };
  const sim = await startSimulator(nowMs === undefined ? options : { ...options, now: () => nowMs });
  const { baseUrl, apiKey, username, password } = sim;
  send({ kind: 'ready', baseUrl, credentials: { apiKey, username, password } });
  process.on('message', (request: SimRequest) => {
    if (request.kind === 'reset') resetStats(sim.stats);
    if (request.kind === 'latency') sim.faults.latencyMs = request.ms;
    if (request.kind === 'rate') sim.faults.rateLimitPerSecond = request.perSecond;
    send({ id: request.id, stats: sim.stats, cpu: process.cpuUsage() });
  });
  process.once('disconnect', () => {
    sim.close().finally(() => process.exit(0));
  });
}

// The server holds this object: its fields are reset in place.
function resetStats(stats: SimulatorStats): void {
  stats.logins = 0;
  stats.loginFailures = 0;
  stats.reportRequests = {};
  stats.responses = {};
  stats.pagesServed = 0;
  stats.rowsServed = 0;
  stats.noDataServed = 0;
  stats.issuedTokens = [];
}

main().catch((error: unknown) => {
  process.stderr.write(`sim-child: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
