import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { type LocalRunOptions, runLocal } from '../../functions/cli/local-run.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../functions/simulator/index.js';

/**
 * Simulators and lake folders for tests of local runs: each test file gets its own, closed after each test
 * (simulators) and removed after the file (folders). `defaults` are the file's simulator options.
 */
export function localLakes(defaults: SimulatorOptions) {
  const dirs: string[] = [];
  const sims: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((sim) => sim.close()));
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return {
    async simulator(options: SimulatorOptions = {}): Promise<Simulator> {
      const sim = await startSimulator({ ...defaults, ...options });
      sims.push(sim);
      return sim;
    },
    lakeDir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'walake-lake-'));
      dirs.push(dir);
      return dir;
    },
  };
}

/** A local run of both tables against a simulator, on `walake run`'s settings unless given. */
export function runAgainst(
  sim: Simulator,
  out: string,
  options: Pick<LocalRunOptions, 'fromMs' | 'toMs'> & Partial<LocalRunOptions>,
) {
  return runLocal({
    tables: ['call-legs', 'call-records'],
    pbx: 'allpbxes',
    pageSize: 100,
    gridMinutes: 60,
    concurrency: 4,
    isConnectTime: false,
    isSimplified: false,
    settleMinutes: 60,
    out,
    connection: {
      baseUrl: sim.baseUrl,
      credentials: { apiKey: sim.apiKey, username: sim.username, password: sim.password },
    },
    retryDelayMs: () => 5,
    ...options,
  });
}
