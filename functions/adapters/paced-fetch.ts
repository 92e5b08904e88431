import { performance } from 'node:perf_hooks';
import type { RequestPace } from '../core/request-pace.js';
import { realRetryDeps } from './wa-retry.js';

/** The clock and sleep of the pacing: real, monotonic time by default (the API's limit counts real seconds). */
export interface PacedFetchDeps {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

const realDeps: PacedFetchDeps = { now: () => performance.now(), sleep: (ms) => realRetryDeps.sleep(ms) };

/**
 * A `fetch` whose report requests (every attempt, retries included) wait for a slot of the shared
 * {@link RequestPace} and tell it how they were answered. Logins are not paced: the token endpoint is not the
 * reports' limit.
 */
export function pacedFetch(
  inner: typeof fetch,
  pace: RequestPace,
  deps: PacedFetchDeps = realDeps,
): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (/\/oauth\/token(?:$|\?)/.test(url)) return inner(input, init);
    const { waitMs, token } = pace.reserve(deps.now());
    if (waitMs > 0) await deps.sleep(waitMs);
    const response = await inner(input, init);
    pace.answer(deps.now(), response.status, token);
    return response;
  };
}
