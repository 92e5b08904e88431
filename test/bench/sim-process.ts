import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Credentials } from '../../functions/adapters/token-provider.js';
import type { SimulatorOptions, SimulatorStats } from '../../functions/simulator/index.js';

/**
 * The instant the benchmarks run at, whatever the machine's date: Monday 2026-06-22 00:00 UTC. The simulator
 * believes it is then (the data it serves, its two-year limit) and so does `walake run`, so every bench pulls
 * the same days on any date.
 */
export const BENCH_NOW_MS = Date.UTC(2026, 5, 22);

/** A simulator running in a child process (see sim-child.ts). */
export interface SimProcess {
  baseUrl: string;
  credentials: Credentials;
  /** The simulator's counters so far. */
  stats(): Promise<SimulatorStats>;
  /** Zeroes the counters. */
  reset(): Promise<void>;
  setLatency(ms: number): Promise<void>;
  /** Report requests allowed per wall-clock second (429 above it), or none. */
  setRateLimit(perSecond: number | undefined): Promise<void>;
  /** CPU time the simulator's process has used so far (user + system), in ms. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

/** Starts the simulator in a child process, at `BENCH_NOW_MS`, and waits until it listens. */
export async function startSimProcess(options: Omit<SimulatorOptions, 'now'>): Promise<SimProcess> {
  const entry = fileURLToPath(new URL('./sim-child.js', import.meta.url));
  const args = [JSON.stringify({ ...options, nowMs: BENCH_NOW_MS })];
  const child = fork(entry, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ baseUrl: string; credentials: Credentials }>((resolve, reject) => {
    child.once('message', (message) => resolve(message as { baseUrl: string; credentials: Credentials }));
    child.once('exit', (code) => reject(new Error(`the simulator process exited ${code} before listening`)));
  });
  let next = 0;
  const ask = (request: Record<string, unknown>) => call(child, { id: ++next, ...request });
  return {
    ...ready,
    stats: async () => (await ask({ kind: 'stats' })).stats,
    cpuMs: async () => {
      const { cpu } = await ask({ kind: 'stats' });
      return (cpu.user + cpu.system) / 1000;
    },
    reset: async () => void (await ask({ kind: 'reset' })),
    setLatency: async (ms) => void (await ask({ kind: 'latency', ms })),
    setRateLimit: async (perSecond) => void (await ask({ kind: 'rate', perSecond })),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

interface Reply {
  id: number;
  stats: SimulatorStats;
  cpu: NodeJS.CpuUsage;
}

function call(child: ChildProcess, request: { id: number }): Promise<Reply> {
  return new Promise((resolve) => {
    const onMessage = (message: Partial<Reply>) => {
      if (message.id !== request.id || !message.stats || !message.cpu) return;
      child.off('message', onMessage);
      resolve(message as Reply);
    };
    child.on('message', onMessage);
    child.send(request);
  });
}

/** Report requests the simulator answered, both tables together. */
export function reportRequests(stats: SimulatorStats): number {
  return Object.values(stats.reportRequests).reduce((sum, n) => sum + n, 0);
}
