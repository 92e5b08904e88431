/** How a {@link RequestPace} learns. */
export interface RequestPaceOptions {
  /** How far below the learnt rate requests are spaced (default 0.05: 5 % below). */
  readonly margin?: number;
  /** After this long without a 429, the pace tries a little faster (default 2 s). */
  readonly probeEveryMs?: number;
  /** How much faster each probe goes (default 0.05: 5 %). */
  readonly probeStep?: number;
  /** The slowest pace it will ever set (default 0.2 requests a second). */
  readonly minPerSecond?: number;
}

/** What the pace did, for logs and the run's summary. */
export interface RequestPaceStats {
  /** The pace now, in requests a second; undefined while no 429 has been seen (requests go at once). */
  readonly perSecond: number | undefined;
  /** 429s that set or lowered the pace. */
  readonly cuts: number;
  /** Times the pace tried faster after a quiet spell. */
  readonly probes: number;
}

const WINDOW_MS = 1000;

/**
 * A rate learnt from the API's 429s, for requests that share one limit (every chain of a `walake run`). The
 * 8x8 docs give no rate limit, so none is configured: until the first 429 requests go at once. A 429 says the
 * limit was reached, and the requests answered in the second before it say how many the limit let through:
 * requests are then spaced evenly at that rate less a margin, so that the limit answers them instead of
 * 429s, each of which parks its chain for the server's `Retry-After`. After a quiet spell the pace tries a
 * little faster, and the next 429 measures the limit again. As with the number of chains, one overload
 * answers every request then in flight with a 429: only a request reserved after the last cut can cut again.
 *
 * Deterministic: it reads no clock; every call is given the instant it happens at.
 */
export class RequestPace {
  private perSecond: number | undefined;
  private nextAtMs = Number.NEGATIVE_INFINITY;
  private changedAtMs = 0;
  private generation = 0;
  private readonly answered: number[] = [];
  private counts = { cuts: 0, probes: 0 };
  private readonly margin: number;
  private readonly probeEveryMs: number;
  private readonly probeStep: number;
  private readonly minPerSecond: number;

  constructor(options: RequestPaceOptions = {}) {
    this.margin = options.margin ?? 0.05;
    this.probeEveryMs = options.probeEveryMs ?? 2000;
    this.probeStep = options.probeStep ?? 0.05;
    this.minPerSecond = options.minPerSecond ?? 0.2;
    if (!(this.margin >= 0 && this.margin < 1)) throw new RangeError('margin must be from 0 to below 1');
    if (!(this.probeEveryMs > 0)) throw new RangeError('probeEveryMs must be above 0');
    if (!(this.probeStep >= 0)) throw new RangeError('probeStep must be 0 or more');
    if (!(this.minPerSecond > 0)) throw new RangeError('minPerSecond must be above 0');
  }

  /**
   * Takes the next slot for a request about to be sent at `nowMs`: how long to wait before sending it, and
   * the token to give back with its answer.
   */
  reserve(nowMs: number): { waitMs: number; token: number } {
    const token = this.generation;
    if (this.perSecond === undefined) return { waitMs: 0, token };
    if (nowMs - this.changedAtMs >= this.probeEveryMs) {
      this.perSecond *= 1 + this.probeStep;
      this.changedAtMs = nowMs;
      this.counts.probes++;
    }
    const atMs = Math.max(nowMs, this.nextAtMs);
    this.nextAtMs = atMs + WINDOW_MS / this.perSecond;
    return { waitMs: atMs - nowMs, token };
  }

  /** The answer, at `nowMs`, to the request that reserved `token`: its HTTP status. */
  answer(nowMs: number, status: number, token: number): void {
    while (this.answered.length > 0 && (this.answered[0] ?? 0) <= nowMs - WINDOW_MS) this.answered.shift();
    if (status !== 429) {
      this.answered.push(nowMs);
      return;
    }
    // A 429 with less than two answers in the second before it says nothing of the limit (it was spent by
    // someone else, or before this run): the retry's Retry-After is the only answer to it.
    if (token < this.generation || this.answered.length < 2) return;
    this.generation++;
    const measured = this.answered.length * (1 - this.margin);
    // Never more than halved by one 429: a quiet second before it (chains busy elsewhere) is not the limit.
    const floor = Math.max(this.minPerSecond, (this.perSecond ?? 0) / 2);
    const slower =
      this.perSecond === undefined ? measured : Math.min(measured, this.perSecond * (1 - this.margin));
    this.perSecond = Math.max(floor, slower);
    this.changedAtMs = nowMs;
    // Slots already given out keep their places; the next are spaced at the new pace.
    this.nextAtMs = Math.max(this.nextAtMs, nowMs);
    this.counts.cuts++;
  }

  stats(): RequestPaceStats {
    return { perSecond: this.perSecond, ...this.counts };
  }
}
