import { describe, expect, it } from 'vitest';
import {
  type GovernorPorts,
  governLane,
  governLanes,
  type LaneReading,
  METRIC_LAG_MS,
  type RetryMinute,
} from '../../../functions/core/concurrency-governor.js';

const MIN = 60_000;
/** A fixed instant, on a whole minute: 2026-06-10 14:00 UTC. */
const T0 = Date.UTC(2026, 5, 10, 14);

const lane = (over: Partial<LaneReading> = {}): LaneReading => ({
  lane: 'backfill',
  current: 8,
  cap: 10,
  changedAtMs: T0,
  backlog: 500,
  ...over,
});
const minute = (offset: number, retries: number): RetryMinute => ({ atMs: T0 + offset * MIN, retries });

describe('governLane', () => {
  it.each([
    // [what, reading, minutes, now, expected to, action]
    ['halves after a minute of retries', {}, [minute(0, 3)], T0 + 2 * MIN, 4, 'halve'],
    ['never below 2, the event source minimum', { current: 3 }, [minute(0, 40)], T0 + 2 * MIN, 2, 'halve'],
    ['at 2, a throttled lane holds', { current: 2 }, [minute(0, 1)], T0 + 2 * MIN, 2, 'hold'],
    ['raises by one after a clean minute while messages wait', {}, [], T0 + 2 * MIN, 9, 'raise'],
    ['raises by one per clean minute since the change', { current: 4 }, [], T0 + 4 * MIN, 7, 'raise'],
    ['never above the cap', { current: 9 }, [], T0 + 10 * MIN, 10, 'raise'],
    ['at the cap, holds', { current: 10 }, [], T0 + 10 * MIN, 10, 'hold'],
    ['holds when no message waits', { backlog: 0 }, [], T0 + 10 * MIN, 8, 'hold'],
    // The minute being reported may not be in CloudWatch yet: it is not read as a clean one.
    ['holds until a whole minute is reported', {}, [], T0 + MIN + METRIC_LAG_MS - 1, 8, 'hold'],
    // Retries of the minute in which the lane last changed answered requests sent before it: one overload
    // halves once.
    [
      'ignores retries from before the last change',
      { changedAtMs: T0 + 30_000 },
      [minute(0, 9)],
      T0 + 3 * MIN,
      9,
      'raise',
    ],
    ['brings a lane above its cap back to it', { current: 50 }, [], T0, 10, 'clamp'],
    ['brings a lane below 2 up to 2', { current: 1 }, [], T0, 2, 'clamp'],
  ] as const)('%s', (_what, over, minutes, now, to, action) => {
    const decision = governLane(lane(over), minutes, now);
    expect({ to: decision.to, action: decision.action }).toEqual({ to, action });
    expect(decision.reason.length).toBeGreaterThan(0);
  });

  it('counts only whole, reported minutes: a retry in the minute not yet reported does not halve', () => {
    // now = 14:03:30: 14:00, 14:01 are whole and reported; 14:02 ended 30 s ago, so CloudWatch may not have it.
    const now = T0 + 3.5 * MIN;
    expect(governLane(lane(), [minute(2, 5)], now).action).toBe('raise');
    expect(governLane(lane(), [minute(1, 5)], now).action).toBe('halve');
  });
});

/** Ports over a lane table in memory: what a test reads back is what the governor set. */
function memoryPorts(lanes: Record<string, LaneReading | { skip: string }>, minutes: RetryMinute[]) {
  const set: Array<[string, number]> = [];
  const asked: Array<[number, number]> = [];
  const ports: GovernorPorts = {
    readLane: async (name) => lanes[name] ?? { skip: 'unknown lane' },
    retryMinutes: async (from, to) => {
      asked.push([from, to]);
      return minutes;
    },
    setLane: async (name, maximum) => {
      set.push([name, maximum]);
      return 'set';
    },
  };
  return { ports, set, asked };
}

describe('governLanes', () => {
  it('reads the metric once, halves every lane after retries, and applies only what changes', async () => {
    const { ports, set, asked } = memoryPorts(
      { live: lane({ lane: 'live', current: 2 }), backfill: lane() },
      [minute(0, 2)],
    );
    const outcomes = await governLanes(ports, ['live', 'backfill'], { nowMs: T0 + 2 * MIN, adaptive: true });
    expect(asked).toHaveLength(1);
    expect(set).toEqual([['backfill', 4]]);
    expect(outcomes.map((o) => ('applied' in o ? [o.lane, o.action, o.applied] : o))).toEqual([
      ['live', 'hold', 'none'],
      ['backfill', 'halve', 'set'],
    ]);
  });

  it('leaves a lane whose event source is updating alone, and says why', async () => {
    const { ports, set } = memoryPorts(
      { live: { skip: 'its event source is Updating' }, backfill: lane() },
      [],
    );
    const outcomes = await governLanes(ports, ['live', 'backfill'], { nowMs: T0 + 2 * MIN, adaptive: true });
    expect(outcomes[0]).toEqual({ lane: 'live', skipped: 'its event source is Updating' });
    expect(set).toEqual([['backfill', 9]]);
  });

  it('with adaptive concurrency off, puts each lane back at its cap and reads no metric', async () => {
    const { ports, set, asked } = memoryPorts(
      { live: lane({ lane: 'live', current: 3, cap: 20 }), backfill: lane({ current: 10 }) },
      [minute(0, 100)],
    );
    await governLanes(ports, ['live', 'backfill'], { nowMs: T0 + 2 * MIN, adaptive: false });
    expect(asked).toEqual([]);
    expect(set).toEqual([['live', 20]]);
  });

  it('a second run of the same minute finds the change made and holds', async () => {
    const lanes: Record<string, LaneReading> = { backfill: lane() };
    const { ports, set } = memoryPorts(lanes, [minute(0, 2)]);
    ports.setLane = async (name, maximum) => {
      set.push([name, maximum]);
      // The event source now says it changed at this instant, as Lambda's LastModified does.
      lanes[name] = { ...(lanes[name] as LaneReading), current: maximum, changedAtMs: T0 + 2 * MIN };
      return 'set';
    };
    for (let i = 0; i < 2; i++)
      await governLanes(ports, ['backfill'], { nowMs: T0 + 2 * MIN, adaptive: true });
    expect(set).toEqual([['backfill', 4]]);
  });
});
