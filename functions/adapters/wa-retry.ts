import { RetriesExhaustedError, WorkAnalyticsError } from './wa-errors.js';

/** The longest `Retry-After` honoured: longer asks are more likely a misconfigured proxy than a plan. */
const MAX_RETRY_AFTER_MS = 300_000;

/** How hard the client tries before it gives a transient failure back to the caller. */
export interface RetryPolicy {
  /** Attempts per request, the first one included. */
  maxAttempts: number;
  /** First backoff ceiling; it doubles each attempt (full jitter picks a delay below it). */
  baseDelayMs: number;
  /** Largest backoff ceiling. A server's `Retry-After` is honoured up to 5 minutes, and never past the deadline. */
  maxDelayMs: number;
  /** Time allowed for one HTTP exchange, body included. */
  requestTimeoutMs: number;
  /**
   * Patience with throttling: 429s do not count against `maxAttempts`; the request keeps waiting them out
   * until it has waited this long in all (or until the deadline), so a burst of 429s never fails a page.
   */
  maxThrottleWaitMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 300,
  maxDelayMs: 20_000,
  requestTimeoutMs: 30_000,
  maxThrottleWaitMs: 600_000,
};

/** The clock, sleep and randomness of the retry loop, injectable so tests are quick and exact. */
export interface RetryDeps {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

export const realRetryDeps: RetryDeps = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** What one attempt gives back: a value, or a transient failure worth another attempt. */
export type AttemptOutcome<T> = { value: T } | { retry: string; retryAfterMs?: number; status?: number };

export interface RetryEvent {
  attempt: number;
  reason: string;
  delayMs: number;
  /** The HTTP status that was retried, when there was an answer (429, 5xx…). */
  status?: number;
}

/** How a connection talks to 8x8: the fetch to use, how hard it retries, and who hears of a retry. */
export interface Transport {
  fetch?: typeof fetch;
  policy?: RetryPolicy;
  deps?: RetryDeps;
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryOptions {
  policy: RetryPolicy;
  deps: RetryDeps;
  /** Absolute epoch ms after which no attempt starts (a Lambda's remaining time, less a margin). */
  deadlineMs?: number;
  onRetry?: (event: RetryEvent) => void;
}

/**
 * Runs `attempt` until it yields a value, retrying transient outcomes and network errors with exponential
 * backoff and full jitter, or the server's `Retry-After` when it gives one. Stops at the attempt limit or
 * when the next attempt could not finish before the deadline. Errors of the client itself pass through.
 */
export async function withRetries<T>(
  attempt: (signal: AbortSignal) => Promise<AttemptOutcome<T>>,
  options: RetryOptions,
): Promise<T> {
  const { policy, deps, deadlineMs = Number.POSITIVE_INFINITY } = options;
  const patienceMs = policy.maxThrottleWaitMs ?? 0;
  let last = 'no time was left before the deadline';
  let throttleWaitMs = 0;
  // Attempts that count against maxAttempts: a throttled one does not while patience lasts.
  let counted = 0;
  for (let n = 1; ; n++) {
    const timeLeft = deadlineMs - deps.now();
    if (timeLeft <= 0) throw new RetriesExhaustedError(n - 1, last, 'deadline');
    const timeoutMs = Math.min(policy.requestTimeoutMs, timeLeft);
    let retryAfterMs: number | undefined;
    let status: number | undefined;
    try {
      const outcome = await attempt(AbortSignal.timeout(timeoutMs));
      if ('value' in outcome) return outcome.value;
      last = outcome.retry;
      retryAfterMs = outcome.retryAfterMs;
      status = outcome.status;
    } catch (error) {
      if (error instanceof WorkAnalyticsError) throw error;
      last = describeNetworkError(error, timeoutMs);
    }
    // A 429 is throttling: the API asks for patience, not for fewer attempts.
    const patient = status === 429 && throttleWaitMs < patienceMs;
    if (!patient) counted++;
    if (counted >= policy.maxAttempts) throw new RetriesExhaustedError(n, last, 'attempts');
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
    let delayMs =
      retryAfterMs !== undefined
        ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)
        : Math.floor(deps.random() * ceiling);
    if (patient) delayMs = Math.min(delayMs, patienceMs - throttleWaitMs);
    if (deps.now() + delayMs >= deadlineMs) throw new RetriesExhaustedError(n, last, 'deadline');
    if (patient) throttleWaitMs += Math.max(delayMs, 1);
    options.onRetry?.({ attempt: n, reason: last, delayMs, ...(status !== undefined ? { status } : {}) });
    await deps.sleep(delayMs);
  }
}

/** Parses `Retry-After` (delay seconds or an HTTP date) into a delay in ms; undefined when absent or invalid. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = err.cause?.code ?? err.cause?.message;
  return `network error: ${err.message ?? String(error)}${cause ? ` (${cause})` : ''}`;
}
