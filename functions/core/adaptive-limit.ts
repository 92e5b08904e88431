/** How an {@link AdaptiveLimit} moves. */
export interface AdaptiveLimitOptions {
  /** The configured ceiling: the limit never goes above it. */
  readonly cap: number;
  /** Where the limit starts (default: half the cap, at least 1). */
  readonly initial?: number;
  /**
   * An answer is fast while it takes at most this many times the fastest answer seen (default 2): slower
   * answers say the API is queueing, so the limit holds instead of rising.
   */
  readonly slowFactor?: number;
}

/** What the limit did, for logs and the run's summary. */
export interface AdaptiveLimitStats {
  readonly limit: number;
  readonly peak: number;
  readonly raises: number;
  readonly halvings: number;
}

/**
 * Additive increase, multiplicative decrease of the number of chains in flight: after a round of fast,
 * error-free answers (as many as the current limit) the limit rises by one, up to the cap; a 429 or a 5xx
 * halves it (at least 1), once per round trip: only a request sent after the last halving can halve again,
 * since one overload answers every request then in flight (and their retries) with a 429, and that is one
 * signal, not many. Deterministic: the limit moves only on the events it is told of, with no clock.
 */
export class AdaptiveLimit {
  private current: number;
  private fastest = Number.POSITIVE_INFINITY;
  private streak = 0;
  private generation = 0;
  private counts = { peak: 0, raises: 0, halvings: 0 };
  private readonly slowFactor: number;

  constructor(private readonly options: AdaptiveLimitOptions) {
    const { cap } = options;
    if (!Number.isSafeInteger(cap) || cap < 1) throw new RangeError('cap must be a whole number >= 1');
    const initial = options.initial ?? Math.max(1, Math.floor(cap / 2));
    if (!Number.isSafeInteger(initial) || initial < 1 || initial > cap)
      throw new RangeError(`initial must be a whole number from 1 to the cap (${cap})`);
    this.current = initial;
    this.counts.peak = initial;
    this.slowFactor = options.slowFactor ?? 2;
  }

  /** How many may be in flight now. */
  get limit(): number {
    return this.current;
  }

  /** An answer that carried no error, after `latencyMs`. */
  succeeded(latencyMs: number): void {
    this.fastest = Math.min(this.fastest, latencyMs);
    if (latencyMs > this.fastest * this.slowFactor) {
      this.streak = 0;
      return;
    }
    this.streak++;
    if (this.streak >= this.current && this.current < this.options.cap) {
      this.current++;
      this.streak = 0;
      this.counts.raises++;
      this.counts.peak = Math.max(this.counts.peak, this.current);
    }
  }

  /** A request is sent: the token to hand back to {@link throttled} if it is answered 429 or 5xx. */
  sent(): number {
    return this.generation;
  }

  /** The API answered 429 or a 5xx to a request sent with `token` (from {@link sent}). */
  throttled(token: number): void {
    this.streak = 0;
    if (token < this.generation) return;
    this.generation++;
    const halved = Math.max(1, Math.floor(this.current / 2));
    if (halved < this.current) this.counts.halvings++;
    this.current = halved;
  }

  stats(): AdaptiveLimitStats {
    return { limit: this.current, ...this.counts };
  }
}
