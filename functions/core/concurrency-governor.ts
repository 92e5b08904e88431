/**
 * The AWS side of adaptive concurrency: once a minute the governor reads, for each lane (the live page queue
 * and the backfill queue), the worker's event source maximum concurrency and when it last changed, the lane's
 * backlog, and the 8x8 requests the workers retried (429, 5xx, timeouts: the `ApiRetries` metric) minute by
 * minute, and decides the lane's next maximum concurrency. The rule is the one `walake run` follows
 * (adaptive-limit.ts), at a minute's grain: a minute of retries halves the lane; a clean minute while
 * messages wait raises it by one, up to its configured cap; otherwise it holds.
 *
 * Only minutes that began at or after the lane's last change count, so one overload (which answers every
 * request then in flight with a 429, and their retries too) halves once, not once per minute it takes the
 * answers to come back: "once per round trip", as walake run halves. The event source is the state, so two
 * governors (a schedule delivers at least once) that read the same minute decide the same thing, and the
 * second finds the change already made (it was made less than a minute ago) and holds.
 */

/** Lambda's bounds on an SQS event source's maximum concurrency. */
export const ESM_MIN_CONCURRENCY = 2;
export const ESM_MAX_CONCURRENCY = 1000;
const MINUTE_MS = 60_000;

/** One lane, as the governor reads it. */
export interface LaneReading {
  readonly lane: 'live' | 'backfill';
  /** The event source's maximum concurrency now. */
  readonly current: number;
  /** The configured ceiling (`maxConcurrency` or `backfillConcurrency`). */
  readonly cap: number;
  /** When the event source last changed (its `LastModified`). */
  readonly changedAtMs: number;
  /** Messages waiting in the lane's queue (visible, not yet received). */
  readonly backlog: number;
}

/** The workers' retried 8x8 requests in one minute: `atMs` is the minute's start. */
export interface RetryMinute {
  readonly atMs: number;
  readonly retries: number;
}

export type GovernorAction = 'halve' | 'raise' | 'hold' | 'clamp';

export interface LaneDecision {
  readonly lane: LaneReading['lane'];
  readonly from: number;
  readonly to: number;
  readonly action: GovernorAction;
  /** Why, in a sentence for the log. */
  readonly reason: string;
}

/** The lane's bounds: never below Lambda's minimum, never above the cap (itself within Lambda's bounds). */
function bounds(cap: number): { low: number; high: number } {
  const high = Math.min(ESM_MAX_CONCURRENCY, Math.max(ESM_MIN_CONCURRENCY, Math.floor(cap)));
  return { low: ESM_MIN_CONCURRENCY, high };
}

/**
 * CloudWatch shows a minute's metrics a little after the minute ends (the workers' embedded metric format is
 * read from their logs): a minute counts once it ended this long ago, so a minute not yet reported is never
 * read as a clean one.
 */
export const METRIC_LAG_MS = 60_000;

/** The start of the first whole minute at or after `ms`. */
function nextMinute(ms: number): number {
  return Math.ceil(ms / MINUTE_MS) * MINUTE_MS;
}

/**
 * The lane's next maximum concurrency at `nowMs`. `minutes` are the retry counts of the last few minutes; a
 * minute without a datapoint had no retries (CloudWatch reports no datapoint for a sum of nothing). The
 * minutes that count are the whole ones that began at or after the lane's last change and ended at least
 * {@link METRIC_LAG_MS} ago.
 */
export function governLane(
  lane: LaneReading,
  minutes: readonly RetryMinute[],
  nowMs: number,
  lagMs = METRIC_LAG_MS,
): LaneDecision {
  const { low, high } = bounds(lane.cap);
  const decide = (to: number, action: GovernorAction, reason: string): LaneDecision => ({
    lane: lane.lane,
    from: lane.current,
    to,
    action: to === lane.current ? 'hold' : action,
    reason,
  });
  if (lane.current > high || lane.current < low)
    return decide(
      Math.min(high, Math.max(low, lane.current)),
      'clamp',
      `outside ${low} to ${high} (the configured cap)`,
    );
  const first = nextMinute(lane.changedAtMs);
  const end = nowMs - lagMs;
  const whole = Math.max(0, Math.floor((end - first) / MINUTE_MS));
  const counted = minutes.filter((m) => m.atMs >= first && m.atMs + MINUTE_MS <= end);
  const retries = counted.reduce((sum, m) => sum + m.retries, 0);
  if (retries > 0)
    return decide(
      Math.max(low, Math.floor(lane.current / 2)),
      'halve',
      `${retries} 8x8 requests retried (429, 5xx or timeouts) since the last change`,
    );
  if (whole === 0) return decide(lane.current, 'hold', 'no reported minute since the last change');
  if (lane.backlog <= 0) return decide(lane.current, 'hold', 'no message waits');
  if (lane.current >= high) return decide(lane.current, 'hold', `at the cap (${high})`);
  // One more per clean minute, as walake run adds one per clean round of answers.
  return decide(
    Math.min(high, lane.current + whole),
    'raise',
    `${whole} clean minute${whole === 1 ? '' : 's'} since the last change, ${lane.backlog} messages waiting`,
  );
}

/** What the governor does when adaptive concurrency is off: each lane goes back to its cap, and stays there. */
export function fixedLane(lane: LaneReading): LaneDecision {
  const { high } = bounds(lane.cap);
  return {
    lane: lane.lane,
    from: lane.current,
    to: high,
    action: lane.current === high ? 'hold' : 'clamp',
    reason: 'adaptive concurrency is off: the configured cap',
  };
}

/** What the governor reads and changes, lane by lane (functions/adapters/lane-concurrency.ts on AWS). */
export interface GovernorPorts {
  /** The lane now, or a reason to leave it alone this minute (its event source is still updating). */
  readLane(lane: LaneReading['lane']): Promise<LaneReading | { skip: string }>;
  /** The workers' retried requests per minute over [fromMs, toMs). */
  retryMinutes(fromMs: number, toMs: number): Promise<RetryMinute[]>;
  /** Sets the lane's maximum concurrency; `busy` when an earlier change is still being applied. */
  setLane(lane: LaneReading['lane'], maximum: number): Promise<'set' | 'busy'>;
}

export interface GovernorOutcome extends LaneDecision {
  /** `set`, `busy` (an earlier change still applies), or `none` when the decision holds. */
  readonly applied: 'set' | 'busy' | 'none';
}

/** How far back the governor reads the retry metric: more than any lane waits between two changes. */
const LOOKBACK_MS = 15 * MINUTE_MS;

/**
 * One minute of the governor: reads every lane, reads the retry metric once, decides each lane and applies
 * what changes. A lane it must leave alone is reported with its reason and `hold`.
 */
export async function governLanes(
  ports: GovernorPorts,
  lanes: readonly LaneReading['lane'][],
  options: { nowMs: number; adaptive: boolean },
): Promise<Array<GovernorOutcome | { lane: LaneReading['lane']; skipped: string }>> {
  const readings = await Promise.all(lanes.map((lane) => ports.readLane(lane)));
  const minutes = options.adaptive
    ? await ports.retryMinutes(options.nowMs - LOOKBACK_MS, options.nowMs)
    : [];
  const outcomes: Array<GovernorOutcome | { lane: LaneReading['lane']; skipped: string }> = [];
  for (const [i, reading] of readings.entries()) {
    const lane = lanes[i] as LaneReading['lane'];
    if ('skip' in reading) {
      outcomes.push({ lane, skipped: reading.skip });
      continue;
    }
    const decision = options.adaptive ? governLane(reading, minutes, options.nowMs) : fixedLane(reading);
    const applied = decision.to === decision.from ? 'none' : await ports.setLane(lane, decision.to);
    outcomes.push({ ...decision, applied });
  }
  return outcomes;
}
