import { describe, expect, it } from 'vitest';
import { SCHEDULE_SOURCE, scheduledTickMs } from '../../../functions/core/schedule-tick.js';

const NOW = Date.parse('2026-11-27T10:07:30Z');
const TICK = '2026-11-27T10:00:00Z';

describe('scheduledTickMs', () => {
  it.each([
    [
      'the Scheduler payload the stack sets',
      { source: SCHEDULE_SOURCE, scheduledTime: TICK },
      Date.parse(TICK),
      'scheduledTime',
    ],
    ['an EventBridge rule event', { source: 'aws.events', time: TICK }, Date.parse(TICK), 'time'],
    [
      'a payload with both: the scheduled time wins',
      { scheduledTime: TICK, time: '2026-11-27T10:05:00Z' },
      Date.parse(TICK),
      'scheduledTime',
    ],
    ['a tick after now: never past now', { scheduledTime: '2026-11-27T11:00:00Z' }, NOW, 'scheduledTime'],
    ['no time at all', {}, NOW, 'now'],
    ['a time that is not one', { scheduledTime: '<aws.scheduler.scheduled-time>' }, NOW, 'now'],
    ['a time of the wrong type', { scheduledTime: 1_764_237_600_000 }, NOW, 'now'],
  ] as const)('plans %s at its time', (_what, event, atMs, from) => {
    expect(scheduledTickMs(event, NOW)).toEqual({ atMs, from });
  });
});
