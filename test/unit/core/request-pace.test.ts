import { describe, expect, it } from 'vitest';
import { RequestPace } from '../../../functions/core/request-pace.js';

/**
 * The pace is driven by instants the test gives it. `drive` plays an API that lets `limit` requests through
 * per calendar second (a fixed window, as the simulator counts) and answers each 100 ms after it was sent.
 */
function drive(pace: RequestPace, limit: number, demand: number, seconds: number) {
  const counts = new Map<number, number>();
  const answered: number[] = [];
  let throttled = 0;
  // `demand` clients, each sending its next request as soon as its last is answered (and its slot comes).
  const ready = Array.from({ length: demand }, () => 0);
  for (;;) {
    const i = ready.indexOf(Math.min(...ready));
    const at = ready[i] ?? 0;
    if (at >= seconds * 1000) break;
    const { waitMs, token } = pace.reserve(at);
    const sentAt = at + waitMs;
    const second = Math.floor(sentAt / 1000);
    const used = counts.get(second) ?? 0;
    const status = used < limit ? 200 : 429;
    counts.set(second, used + 1);
    const answerAt = sentAt + 100;
    pace.answer(answerAt, status, token);
    if (status === 200) answered.push(answerAt);
    else throttled++;
    // A 429 asks the client to wait a second (Retry-After: 1) before it tries again.
    ready[i] = answerAt + (status === 429 ? 1000 : 0);
  }
  return { answered: answered.length, throttled };
}

describe('the request pace learnt from 429s', () => {
  it('sends at once until the first 429', () => {
    const pace = new RequestPace();
    for (let t = 0; t < 50; t++) expect(pace.reserve(t).waitMs).toBe(0);
    expect(pace.stats()).toEqual({ perSecond: undefined, cuts: 0, probes: 0 });
  });

  it('learns the rate the API let through in the second before a 429, less the margin', () => {
    const pace = new RequestPace();
    for (let t = 0; t < 8; t++) pace.answer(100 + t * 100, 200, pace.reserve(t * 100).token);
    pace.answer(900, 429, pace.reserve(850).token);
    expect(pace.stats().perSecond).toBeCloseTo(8 * 0.95);
    // The next requests are spaced 1000 / 7.6 ms apart.
    const first = pace.reserve(900).waitMs;
    const second = pace.reserve(900).waitMs;
    expect(second - first).toBeCloseTo(1000 / 7.6);
  });

  it('cuts once for the 429s of one overload, and never more than halves in one cut', () => {
    const pace = new RequestPace();
    for (let t = 0; t < 10; t++) pace.answer(t * 10, 200, pace.reserve(t * 10).token);
    const tokens = [1, 2, 3].map(() => pace.reserve(100).token);
    for (const token of tokens) pace.answer(150, 429, token);
    expect(pace.stats()).toMatchObject({ perSecond: 9.5, cuts: 1 });
    // Later, after a quiet second with only two answers, a 429 halves the pace at most.
    pace.answer(3000, 200, pace.reserve(2900).token);
    pace.answer(3010, 200, pace.reserve(2910).token);
    pace.answer(3020, 429, pace.reserve(2920).token);
    expect(pace.stats().perSecond).toBeCloseTo(9.5 * 1.05 * 0.5);
  });

  it('learns nothing from a 429 that follows fewer than two answers', () => {
    const pace = new RequestPace();
    pace.answer(10, 200, pace.reserve(0).token);
    for (let t = 20; t < 200; t += 10) pace.answer(t, 429, pace.reserve(t).token);
    expect(pace.stats()).toEqual({ perSecond: undefined, cuts: 0, probes: 0 });
  });

  it('tries faster after a quiet spell', () => {
    const pace = new RequestPace({ probeEveryMs: 2000, probeStep: 0.05 });
    for (let t = 0; t < 4; t++) pace.answer(t * 10, 200, pace.reserve(t * 10).token);
    pace.answer(50, 429, pace.reserve(40).token);
    expect(pace.stats().perSecond).toBeCloseTo(3.8);
    pace.reserve(2049);
    expect(pace.stats().probes).toBe(0);
    pace.reserve(2050);
    expect(pace.stats()).toMatchObject({ probes: 1 });
    expect(pace.stats().perSecond).toBeCloseTo(3.8 * 1.05);
  });

  it('keeps a busy client within a few percent of an 8-a-second limit, with few 429s', () => {
    const paced = drive(new RequestPace(), 8, 8, 120);
    // The limit's own ceiling is 8 × 120 = 960 answers; the pace keeps above 90 % of it.
    expect(paced.answered).toBeGreaterThan(0.9 * 960);
    expect(paced.answered).toBeLessThanOrEqual(960);
    expect(paced.throttled).toBeLessThan(60);
  });

  it('does better than no pace at all against the same limit', () => {
    // Without a pace (a margin so large no slot is ever held back is not possible, so: no cuts learnt).
    const unpaced = drive(new RequestPace({ minPerSecond: 1e9 }), 8, 8, 120);
    const paced = drive(new RequestPace(), 8, 8, 120);
    expect(unpaced.throttled).toBeGreaterThan(5 * paced.throttled);
  });

  it('refuses options that cannot pace', () => {
    expect(() => new RequestPace({ margin: 1 })).toThrow(RangeError);
    expect(() => new RequestPace({ probeEveryMs: 0 })).toThrow(RangeError);
    expect(() => new RequestPace({ minPerSecond: 0 })).toThrow(RangeError);
  });
});
