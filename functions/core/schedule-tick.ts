/**
 * The time a scheduled planner run plans at. EventBridge Scheduler sends the payload the stack sets,
 * `{"source":"walake.schedule","scheduledTime":"<aws.scheduler.scheduled-time>"}`; an EventBridge rule (stacks
 * deployed before the Scheduler) sends its event, whose `time` is the tick's. Planning at the tick's own time
 * means a retried or late invocation plans the windows of its tick; a time after `nowMs` (a clock ahead of
 * ours) is never trusted past now, so no window is planned before it ends.
 */

/** The `source` of the planner's scheduled payload. */
export const SCHEDULE_SOURCE = 'walake.schedule';

/** What a scheduled invocation may carry (the Scheduler's payload or a rule's event). */
export interface ScheduledInput {
  readonly source?: unknown;
  readonly scheduledTime?: unknown;
  readonly time?: unknown;
}

/** The tick's time in epoch ms, and where it came from (`now` when the event carries no usable time). */
export function scheduledTickMs(
  event: ScheduledInput,
  nowMs: number,
): { atMs: number; from: 'scheduledTime' | 'time' | 'now' } {
  for (const from of ['scheduledTime', 'time'] as const) {
    const value = event[from];
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (!Number.isNaN(ms)) return { atMs: Math.min(ms, nowMs), from };
  }
  return { atMs: nowMs, from: 'now' };
}
