import { describe, expect, it } from 'vitest';
import { RetriesExhaustedError, WorkAnalyticsError } from '../../../functions/adapters/wa-errors.js';
import { type AttemptOutcome, parseRetryAfter, withRetries } from '../../../functions/adapters/wa-retry.js';

function fakeClock(random = 0.5) {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    deps: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      random: () => random,
    },
  };
}

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000, requestTimeoutMs: 5000 };

function scripted<T>(outcomes: (AttemptOutcome<T> | Error)[]) {
  let calls = 0;
  const attempt = async () => {
    const next = outcomes[calls++];
    if (next === undefined) throw new Error('no more outcomes');
    if (next instanceof Error) throw next;
    return next;
  };
  return { attempt, calls: () => calls };
}

describe('withRetries', () => {
  it('backs off exponentially with full jitter and returns the first value', async () => {
    const clock = fakeClock(0.5);
    const s = scripted<string>([{ retry: '503' }, { retry: '503' }, { retry: '503' }, { value: 'ok' }]);
    await expect(withRetries(s.attempt, { policy, deps: clock.deps })).resolves.toBe('ok');
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('caps the backoff ceiling at maxDelayMs', async () => {
    const clock = fakeClock(0.999);
    const s = scripted<string>([
      { retry: 'a' },
      { retry: 'a' },
      { retry: 'a' },
      { retry: 'a' },
      { value: 'ok' },
    ]);
    await withRetries(s.attempt, { policy, deps: clock.deps });
    expect(Math.max(...clock.sleeps)).toBeLessThan(1000);
    expect(clock.sleeps[3]).toBe(Math.floor(0.999 * 800));
  });

  it('honours Retry-After instead of the jitter', async () => {
    const clock = fakeClock(0);
    const s = scripted<string>([{ retry: '429', retryAfterMs: 700 }, { value: 'ok' }]);
    await withRetries(s.attempt, { policy, deps: clock.deps });
    expect(clock.sleeps).toEqual([700]);
  });

  it('honours a Retry-After longer than the backoff ceiling', async () => {
    const clock = fakeClock(0);
    const s = scripted<string>([{ retry: '429', retryAfterMs: 30_000 }, { value: 'ok' }]);
    await withRetries(s.attempt, { policy, deps: clock.deps });
    expect(clock.sleeps).toEqual([30_000]);
  });

  it('treats network errors as transient', async () => {
    const clock = fakeClock();
    const s = scripted<string>([new TypeError('fetch failed'), { value: 'ok' }]);
    await expect(withRetries(s.attempt, { policy, deps: clock.deps })).resolves.toBe('ok');
  });

  it('passes the client errors through without retrying', async () => {
    const clock = fakeClock();
    const s = scripted<string>([new WorkAnalyticsError('refused'), { value: 'ok' }]);
    await expect(withRetries(s.attempt, { policy, deps: clock.deps })).rejects.toThrow('refused');
    expect(s.calls()).toBe(1);
  });

  it('stops at the attempt limit with a retryable error naming the last failure', async () => {
    const clock = fakeClock();
    const s = scripted<string>(Array.from({ length: 9 }, () => ({ retry: 'answered 502' })));
    const error = await withRetries(s.attempt, { policy, deps: clock.deps }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).retryable).toBe(true);
    expect((error as Error).message).toMatch(/answered 502 \(5 attempts, stopped by the attempt limit\)/);
    expect(s.calls()).toBe(5);
  });

  it('stops before the deadline instead of sleeping past it', async () => {
    const clock = fakeClock();
    const s = scripted<string>([{ retry: '429', retryAfterMs: 900 }, { value: 'ok' }]);
    const deadlineMs = clock.deps.now() + 500;
    const error = await withRetries(s.attempt, { policy, deps: clock.deps, deadlineMs }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/stopped by the deadline/);
    expect(clock.sleeps).toEqual([]);
  });

  it('reports each retry', async () => {
    const clock = fakeClock(0);
    const events: string[] = [];
    const s = scripted<string>([{ retry: 'x' }, { value: 'ok' }]);
    await withRetries(s.attempt, {
      policy,
      deps: clock.deps,
      onRetry: (e) => events.push(`${e.attempt}:${e.reason}`),
    });
    expect(events).toEqual(['1:x']);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  it.each([
    ['3', 3000],
    [' 0 ', 0],
    ['Sat, 28 Nov 2026 12:00:05 GMT', 5000],
    ['Sat, 28 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('reads %j as %j ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('withRetries: patience with throttling', () => {
  const throttled = (n: number): AttemptOutcome<string>[] =>
    Array.from({ length: n }, () => ({ retry: '429', retryAfterMs: 1000, status: 429 }));

  it('waits out a burst of 429s far longer than maxAttempts, and returns the page', async () => {
    const clock = fakeClock();
    const s = scripted<string>([...throttled(40), { value: 'ok' }]);
    const statuses: (number | undefined)[] = [];
    const patient = { ...policy, maxThrottleWaitMs: 60_000 };
    await expect(
      withRetries(s.attempt, { policy: patient, deps: clock.deps, onRetry: (e) => statuses.push(e.status) }),
    ).resolves.toBe('ok');
    expect(s.calls()).toBe(41);
    expect(statuses).toEqual(Array(40).fill(429));
  });

  it('ends once the throttling outlasts its patience, then counts the attempts as usual', async () => {
    const clock = fakeClock();
    const s = scripted<string>(throttled(100));
    const patient = { ...policy, maxThrottleWaitMs: 10_000 };
    await expect(withRetries(s.attempt, { policy: patient, deps: clock.deps })).rejects.toThrow(
      RetriesExhaustedError,
    );
    // 10 s of patience at 1 s each, then maxAttempts (5) counted ones.
    expect(s.calls()).toBe(10 + 5);
  });

  it('gives server errors no such patience', async () => {
    const clock = fakeClock();
    const errors = Array.from({ length: 20 }, () => ({ retry: '503', status: 503 }));
    const s = scripted<string>(errors);
    const patient = { ...policy, maxThrottleWaitMs: 60_000 };
    await expect(withRetries(s.attempt, { policy: patient, deps: clock.deps })).rejects.toThrow(
      RetriesExhaustedError,
    );
    expect(s.calls()).toBe(policy.maxAttempts);
  });

  it('stops at the deadline, however patient', async () => {
    const clock = fakeClock();
    const s = scripted<string>(throttled(100));
    const patient = { ...policy, maxThrottleWaitMs: 600_000 };
    const deadlineMs = clock.deps.now() + 5_500;
    await expect(withRetries(s.attempt, { policy: patient, deps: clock.deps, deadlineMs })).rejects.toThrow(
      /deadline/,
    );
    expect(s.calls()).toBe(6);
  });
});
