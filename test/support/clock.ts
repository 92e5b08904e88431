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
 * A clock that starts at a fixed instant and that a test can move: `advance` jumps ahead, `set` jumps to an
 * instant, and `sleep` (handed to the code under test as its retry and backoff sleep) advances the clock by the
 * time asked instead of waiting for it. A budget that the code measures on this clock is therefore spent by its
 * sleeps, exactly, however fast or slow the machine runs.
 *
 * By default it also runs at the speed of real time, so that tests which let the pipeline run for a while see
 * time pass. `TestClock.manual` gives one that moves only when told to: for tests whose assertion depends on
 * how much of a budget is left, where the machine's speed must not count at all.
 */
export class TestClock {
  private base: number;
  private origin = performance.now();

  constructor(
    startMs: number,
    private readonly running = true,
  ) {
    this.base = startMs;
  }

  /** A clock that moves only by `advance`, `set` and `sleep`. */
  static manual(startMs: number): TestClock {
    return new TestClock(startMs, false);
  }

  /** Epoch milliseconds. A bound method, so it can be handed out as `now`. */
  readonly now = (): number =>
    this.running ? this.base + Math.floor(performance.now() - this.origin) : this.base;

  /**
   * Sleeps `ms` on this clock: the clock moves on by `ms` at once, and the caller resumes on the next turn of
   * the event loop (so other work still interleaves, as it would during a real wait). Bound, like `now`.
   */
  readonly sleep = async (ms: number): Promise<void> => {
    this.advance(Math.max(0, ms));
    await new Promise<void>((resolve) => setImmediate(resolve));
  };

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
