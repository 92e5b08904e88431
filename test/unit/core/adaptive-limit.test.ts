import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../../functions/core/adaptive-limit.js';

/** A clock the test moves by hand. */
function clock(startMs = 0) {
  let now = startMs;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** `n` answers of `ms` each. */
function answer(limit: AdaptiveLimit, n: number, ms = 150): void {
  for (let i = 0; i < n; i++) limit.succeeded(ms);
}

describe('AdaptiveLimit', () => {
  it('starts at half the cap and rises by one after each round of fast, error-free answers', () => {
    const limit = new AdaptiveLimit({ cap: 8 }, clock());
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
    const limit = new AdaptiveLimit({ cap: 8 }, clock());
    answer(limit, 1, 100);
    answer(limit, 50, 250);
    expect(limit.limit).toBe(4);
    answer(limit, 4, 200); // within twice the fastest: a round of fast answers again
    expect(limit.limit).toBe(5);
  });

  it('halves on a 429 or 5xx, once for a burst, again after the cooldown, never below 1', () => {
    const time = clock();
    const limit = new AdaptiveLimit({ cap: 16, initial: 16, cooldownMs: 1000 }, time);
    limit.throttled();
    for (let i = 0; i < 15; i++) limit.throttled(); // the rest of the in-flight requests, same moment
    expect(limit.limit).toBe(8);
    time.advance(999);
    limit.throttled();
    expect(limit.limit).toBe(8);
    time.advance(1);
    limit.throttled();
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 5; i++) {
      time.advance(1000);
      limit.throttled();
    }
    expect(limit.stats()).toMatchObject({ limit: 1, halvings: 4 });
  });

  it('starts a new round after a throttle: the answers before it do not count toward a raise', () => {
    const time = clock();
    const limit = new AdaptiveLimit({ cap: 8, initial: 4 }, time);
    answer(limit, 3);
    limit.throttled();
    expect(limit.limit).toBe(2);
    answer(limit, 1);
    expect(limit.limit).toBe(2);
    answer(limit, 1);
    expect(limit.limit).toBe(3);
  });

  it('never goes above the cap, and a cap of 1 stays 1', () => {
    const one = new AdaptiveLimit({ cap: 1 }, clock());
    answer(one, 50);
    expect(one.limit).toBe(1);
    expect(() => new AdaptiveLimit({ cap: 0 }, clock())).toThrow(RangeError);
    expect(() => new AdaptiveLimit({ cap: 4, initial: 5 }, clock())).toThrow(RangeError);
  });
});
