import { describe, expect, it } from 'vitest';
import {
  CONTROL_DEDUP_MS,
  ControlCheckpointError,
  controlMarkerKey,
  planRerunOnce,
} from '../../../functions/core/control-once.js';
import type { PageTask } from '../../../functions/core/page-task.js';
import type { PlanConfig } from '../../../functions/core/plan.js';
import { planConfig } from '../../support/factories.js';
import { MemoryStore } from '../../support/memory-store.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 28, 12, 30);
const config: PlanConfig = planConfig({ tables: ['call-legs'] });
/** Two days: 48 chains, three checkpoints of 16. */
const rerun = { tables: ['call-legs' as const], fromMs: NOW - 60.5 * HOUR, toMs: NOW - 12.5 * HOUR };

function prepare(startMs = NOW) {
  let now = startMs;
  const sent: PageTask[] = [];
  const ports = {
    store: new MemoryStore(),
    queue: { send: async (t: PageTask) => void sent.push(t) },
    clock: {
      now: () => now,
      set(ms: number) {
        now = ms;
      },
    },
  };
  return { ports, sent };
}

describe('planRerunOnce', () => {
  it('starts every chain of a message on the backfill lane, and nothing when the same id comes again', async () => {
    const { ports, sent } = prepare();
    const first = await planRerunOnce(ports, config, rerun, { id: 'rerun.a' });
    expect(first).toMatchObject({ kind: 'started', resumedAt: 0 });
    expect(sent).toHaveLength(48);
    expect(new Set(sent.map((t) => t.lane))).toEqual(new Set(['backfill']));
    const again = await planRerunOnce(ports, config, rerun, { id: 'rerun.a' });
    expect(again).toEqual({ kind: 'duplicate', firstSeenAt: new Date(NOW).toISOString() });
    expect(sent).toHaveLength(48);
  });

  it('checkpoints when the invocation runs out of time, and the redelivery goes on from there', async () => {
    const { ports, sent } = prepare();
    // A clock that runs out after the first batch of chains.
    const deadlineMs = NOW + 1;
    const send = ports.queue.send;
    ports.queue.send = async (t: PageTask) => {
      await send(t);
      if (sent.length === 16) ports.clock.set(deadlineMs);
    };
    await expect(planRerunOnce(ports, config, rerun, { id: 'rerun.b', deadlineMs })).rejects.toBeInstanceOf(
      ControlCheckpointError,
    );
    expect(sent).toHaveLength(16);
    const resumed = await planRerunOnce(ports, config, rerun, { id: 'rerun.b' });
    expect(resumed).toMatchObject({ kind: 'started', resumedAt: 16 });
    expect(sent).toHaveLength(48);
    expect(new Set(sent.map((t) => t.window)).size).toBe(48);
  });

  it('starts again when the same id comes back after the deduplication time', async () => {
    const { ports, sent } = prepare();
    await planRerunOnce(ports, config, rerun, { id: 'rerun.c' });
    ports.clock.set(NOW + CONTROL_DEDUP_MS);
    expect(await planRerunOnce(ports, config, rerun, { id: 'rerun.c' })).toMatchObject({ kind: 'started' });
    expect(sent).toHaveLength(96);
  });

  it('lets one of two concurrent deliveries start the chains', async () => {
    const { ports, sent } = prepare();
    const outcomes = await Promise.all([
      planRerunOnce(ports, config, rerun, { id: 'rerun.d' }),
      planRerunOnce(ports, config, rerun, { id: 'rerun.d' }),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['duplicate', 'started']);
    expect(sent).toHaveLength(48);
  });

  it('keeps any id as a safe key', () => {
    expect(controlMarkerKey('backfill.call-legs.20250101T000000Z-20250201T000000Z')).toBe(
      'control/backfill.call-legs.20250101T000000Z-20250201T000000Z.json',
    );
    expect(controlMarkerKey('../../etc/passwd')).toMatch(/^control\/[A-Za-z0-9_-]+\.json$/);
  });
});
