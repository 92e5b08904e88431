import { performance } from 'node:perf_hooks';

const HOUR = 3_600_000;

/**
 * Fixed instants the tests run at, whatever the date and hour of the machine. The simulator shapes its
 * traffic by business hours in America/New_York, so a weekday afternoon in UTC is busy and a night is quiet.
 */
export const INSTANTS = {
  /** Wednesday 2026-06-10 00:00 UTC: a weekday, no DST change anywhere near. */
  busyDay: Date.UTC(2026, 5, 10),
  /** 13:00 to 19:00 UTC of that day: 09:00 to 15:00 in New York, the busiest hours of the simulator. */
  busyHours: (hours = 6) => ({
    fromMs: Date.UTC(2026, 5, 10, 13),
    toMs: Date.UTC(2026, 5, 10, 13) + hours * HOUR,
  }),
  /** Thursday 2026-06-11 00:00 UTC: "now" for tests whose horizon is the busy day before it. */
  afterBusyDay: Date.UTC(2026, 5, 11),
} as const;

/**
 * A clock that starts at a fixed instant and then runs at the speed of real time (so deadlines and token
 * lifetimes still pass), and that a test can move: `advance` jumps ahead, `set` jumps to an instant.
 */
export class TestClock {
  private base: number;
  private origin = performance.now();

  constructor(startMs: number) {
    this.base = startMs;
  }

  /** Epoch milliseconds. A bound method, so it can be handed out as `now`. */
  readonly now = (): number => this.base + Math.floor(performance.now() - this.origin);

  advance(ms: number): void {
    this.base += ms;
  }

  set(ms: number): void {
    this.base = ms;
    this.origin = performance.now();
  }
}

/** A clock frozen at one instant: for tests whose truth must not move while they run. */
export function frozen(ms: number): { now: () => number } {
  return { now: () => ms };
}
