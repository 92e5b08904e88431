import { Duration } from 'aws-cdk-lib';
import { publishBudgetMs } from '../../functions/core/process-task.js';
import { type LakeConfig, scheduleMinutes } from '../config.js';
import { VISIBILITY_FACTOR } from '../constructs/queue-with-dlq.js';

/** The stack's times and counts that follow from each other: timeouts, receives, the page-age alarm. */

/** Rows a busy account's window holds per hour of grid: what the worker's time is sized for. */
const BUSY_ROWS_PER_HOUR = 100_000;
/** The worker's time besides publishing: a page fetch with its retries, and the margin it keeps back. */
const WORKER_FETCH_MS = 75_000;

/**
 * The worker's timeout: enough to fetch a page and to publish a busy window of the grid at the rate measured
 * for publishing (`publishBudgetMs`), at least 2 minutes and at most Lambda's 15. 2 minutes for an hourly
 * grid; a daily grid's windows take about 3.5. A window bigger than that defers its publish to a fresh
 * invocation rather than run out of time.
 */
export function workerTimeout(gridMinutes: number): Duration {
  const ms = WORKER_FETCH_MS + publishBudgetMs((BUSY_ROWS_PER_HOUR * gridMinutes) / 60);
  return Duration.seconds(Math.min(900, Math.max(120, Math.ceil(ms / 1000))));
}
export const PLANNER_TIMEOUT = Duration.minutes(2);
/** Receives of a message before its dead-letter queue: five tries, a visibility timeout (12 min) apart. */
export const MAX_RECEIVE_COUNT = 5;
/** Concurrent planner batches from the control queue: reruns are rare and each may queue many chains. */
export const CONTROL_MAX_CONCURRENCY = 2;
/** The longest the PageQueueStalled alarm ever waits. */
const MAX_PAGE_AGE = Duration.days(1);

/**
 * How old the page queue's oldest task may grow before PageQueueStalled: two planner ticks (the rate of the
 * schedule; the grid for a cron, whose spacing varies), since a live window should publish within two ticks
 * of its end; but never less than a failing task's own retries (receives x visibility timeout, 60 min by
 * default), which the DLQ and RecordsFailed alarms already report; and at most a day.
 */
export function pageAgeThreshold(config: Pick<LakeConfig, 'schedule' | 'gridMinutes'>): Duration {
  const tick = scheduleMinutes(config.schedule) ?? config.gridMinutes;
  const retries = Math.ceil(
    (MAX_RECEIVE_COUNT * VISIBILITY_FACTOR * workerTimeout(config.gridMinutes).toSeconds()) / 60,
  );
  return Duration.minutes(Math.min(MAX_PAGE_AGE.toMinutes(), Math.max(2 * tick, retries)));
}

/**
 * How long a task waits on the backfill lane before SQS deletes it: the 14-day maximum. A long backfill queues
 * its chains' first tasks at once and drains them at `backfillConcurrency`: two years of both tables on a
 * 15-minute grid is about 140,000 chains, about 4 days at 12 s a chain and 5 at once. An expired task is
 * deleted, not dead-lettered, and would leave its window `running` for good.
 */
export const BACKFILL_RETENTION = Duration.days(14);
/**
 * BackfillQueueStalled: the oldest backfill task has waited half the retention. It says so a week before the
 * first task would expire, time to raise `backfillConcurrency` or let the queue drain.
 */
export const BACKFILL_AGE_THRESHOLD = Duration.days(BACKFILL_RETENTION.toDays() / 2);
