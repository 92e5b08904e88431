/**
 * Whether an error is final: retrying the same task would fail the same way. Errors of this project say so
 * with `retryable` (the 8x8 client's refusals, the chain's guard rails, the lake manifest); anything else
 * (a network blip, an SDK error, a bug) counts as transient and is retried within the queue's bounds.
 */
export function isPermanent(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === false
  );
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
