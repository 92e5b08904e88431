/**
 * The base of every error this project throws. `retryable` says what a retry would do: true, the same task may
 * succeed later (a throttled API, a ledger that changed underneath, time that ran out); false, it would fail
 * the same way (a refused request, a chain past its cap, a lake on another grid). Wrap with `{ cause }`.
 */
export abstract class WalakeError extends Error {
  abstract readonly retryable: boolean;
}

/**
 * Whether an error is final: retrying the same task would fail the same way. Errors of this project say so
 * ({@link WalakeError}); anything else (a network blip, an SDK error, a bug) counts as transient and is
 * retried within the queue's bounds.
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
