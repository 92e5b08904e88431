import type { Rng } from './prng.js';
import type { Fault, FaultControl, FaultRequest } from './types.js';

/** The fault for one report request: the plan decides first, then the seeded probabilities. */
export function chooseFault(control: FaultControl, rng: Rng, req: FaultRequest): Fault | undefined {
  const planned = control.plan?.(req);
  if (planned) return planned;
  // Always draw all three so that changing one rate does not reshuffle the others' draws.
  const [a, b, c] = [rng(), rng(), rng()];
  if (a < control.errorRate5xx) return { kind: '5xx' };
  if (b < control.rate429) return { kind: '429', retryAfter: String(control.retryAfterSeconds) };
  if (c < control.truncatedRate) return { kind: 'truncated' };
  return undefined;
}

/** A fixed one-second window counter of report requests, in real time (the data clock may stand still). */
export class RateWindow {
  private second = -1;
  private count = 0;

  /** Counts a request at `nowMs` (on the limit's clock); true when it is over the limit. */
  over(limit: number | undefined, nowMs: number): boolean {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.second = second;
      this.count = 0;
    }
    this.count++;
    return limit !== undefined && this.count > limit;
  }
}

/** A 200 whose JSON is valid but not a page: what a misrouted or changed API might send. */
export const WRONG_SHAPE = { status: 'OK', result: { rows: [], next: null }, meta: 'see result' };
