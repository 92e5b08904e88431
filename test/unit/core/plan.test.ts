import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../functions/adapters/fs-store.js';
import { LocalFifoQueue } from '../../../functions/adapters/local-fifo-queue.js';
import { type PlanConfig, planRerun, planScheduled, readLedger } from '../../../functions/core/plan.js';

import { planConfig } from '../../support/factories.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 28, 12, 30);
const config: PlanConfig = planConfig({ isSimplified: true });

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
function ports(now = NOW) {
  const root = mkdtempSync(join(tmpdir(), 'walake-plan-'));
  roots.push(root);
  const queue = new LocalFifoQueue();
  return { store: new FileObjectStore(root), queue, clock: { now: () => now } };
}

describe('planScheduled', () => {
  it('starts one chain per ended window of the horizon and table, and marks each running', async () => {
    const p = ports();
    const started = await planScheduled(p, config);
    expect(started).toHaveLength(2 * 24);
    expect(p.queue.stats().sent).toBe(48);
    expect(started.every((t) => t.page === 1 && t.attempt === 1)).toBe(true);
    // isSimplified applies to call legs only.
    expect(started.filter((t) => t.isSimplified).every((t) => t.table === 'call-legs')).toBe(true);
    const ledger = await readLedger(p.store, 'call-legs', NOW - 2 * 24 * HOUR, NOW);
    expect(ledger.map((e) => e.status)).toEqual(Array(24).fill('running'));
  });

  it('does not double a chain that is still running, and plans it again once it is stale', async () => {
    const p = ports();
    await planScheduled(p, config);
    expect(await planScheduled(p, config)).toEqual([]);
    const later = { ...p, clock: { now: () => NOW + 3 * HOUR } };
    const again = await planScheduled(later, config);
    // Three hours on, the horizon has three new windows per table; the 21 older ones are stale: attempt 2.
    expect(again.filter((t) => t.attempt === 1)).toHaveLength(6);
    expect(again.filter((t) => t.attempt === 2)).toHaveLength(42);
  });

  it('stops at maxChains', async () => {
    expect(await planScheduled(ports(), { ...config, maxChains: 5 })).toHaveLength(5);
  });
});

describe('planRerun', () => {
  it('starts every window of the range as a new attempt', async () => {
    const p = ports();
    const range = { tables: ['call-records' as const], fromMs: NOW - 5 * HOUR, toMs: NOW - 2 * HOUR };
    const first = await planRerun(p, config, range);
    const second = await planRerun(p, config, range);
    expect(first.map((t) => t.attempt)).toEqual([1, 1, 1, 1]);
    expect(second.map((t) => t.attempt)).toEqual([2, 2, 2, 2]);
  });

  it('refuses a rerun over the chain limit, queuing nothing', async () => {
    const p = ports();
    const range = { tables: ['call-legs' as const], fromMs: NOW - 10 * 24 * HOUR, toMs: NOW };
    await expect(planRerun(p, { ...config, maxChains: 100 }, range)).rejects.toThrow(/over the limit of 100/);
    expect(p.queue.stats().sent).toBe(0);
  });
});
