import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../../functions/core/adaptive-limit.js';

/** `n` answers of `ms` each. */
function answer(limit: AdaptiveLimit, n: number, ms = 150): void {
  for (let i = 0; i < n; i++) limit.succeeded(ms);
}

describe('AdaptiveLimit', () => {
  it('starts at half the cap and rises by one after each round of fast, error-free answers', () => {
    const limit = new AdaptiveLimit({ cap: 8 });
    expect(limit.limit).toBe(4);
    answer(limit, 3);
    expect(limit.limit).toBe(4);
    answer(limit, 1);
    expect(limit.limit).toBe(5);
    answer(limit, 5 + 6 + 7);
    expect(limit.limit).toBe(8);
    answer(limit, 100);
    expect(limit.stats()).toEqual({ limit: 8, peak: 8, raises: 4, halvings: 0 });
  });

  it('holds while answers are slow (more than twice the fastest seen)', () => {
    const limit = new AdaptiveLimit({ cap: 8 });
    answer(limit, 1, 100);
    answer(limit, 50, 250);
    expect(limit.limit).toBe(4);
    answer(limit, 4, 200); // within twice the fastest: a round of fast answers again
    expect(limit.limit).toBe(5);
  });

  it('halves on a 429 or 5xx, once for all the requests that were in flight, never below 1', () => {
    const limit = new AdaptiveLimit({ cap: 16, initial: 16 });
    const inFlight = Array.from({ length: 16 }, () => limit.sent());
    for (const token of inFlight) limit.throttled(token); // one overload answers them all
    expect(limit.limit).toBe(8);
    for (const token of inFlight) limit.throttled(token); // and their retries
    expect(limit.limit).toBe(8);
    const after = limit.sent(); // sent after the halving: a new signal
    limit.throttled(after);
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 5; i++) limit.throttled(limit.sent());
    expect(limit.stats()).toMatchObject({ limit: 1, halvings: 4 });
  });

  it('starts a new round after a throttle: the answers before it do not count toward a raise', () => {
    const limit = new AdaptiveLimit({ cap: 8, initial: 4 });
    answer(limit, 3);
    limit.throttled(limit.sent());
    expect(limit.limit).toBe(2);
    answer(limit, 1);
    expect(limit.limit).toBe(2);
    answer(limit, 1);
    expect(limit.limit).toBe(3);
  });

  it('never goes above the cap, and a cap of 1 stays 1', () => {
    const one = new AdaptiveLimit({ cap: 1 });
    answer(one, 50);
    expect(one.limit).toBe(1);
    expect(() => new AdaptiveLimit({ cap: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveLimit({ cap: 4, initial: 5 })).toThrow(RangeError);
  });
});
