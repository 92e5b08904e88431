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

/** What to do with a task that threw (see {@link failureAction}). */
export interface FailureAction {
  /** Mark the window failed in the ledger, with the error as its reason. */
  readonly failWindow: boolean;
  /** Hand the task back to the queue (a retry, or the DLQ after the last delivery). */
  readonly retry: boolean;
}

/**
 * The failure policy of a page task. Refused credentials are retried and fail no window: the secret may be
 * fixed meanwhile. A permanent error fails the window now and consumes the task: a retry would fail the same
 * way. A transient one is retried; on the queue's last delivery the window is failed too, and the task goes
 * to the DLQ, from which a redrive resumes the window.
 */
export function failureAction(
  error: unknown,
  delivery: { receiveCount: number; maxReceives: number; credentialsRefused: boolean },
): FailureAction {
  if (delivery.credentialsRefused) return { failWindow: false, retry: true };
  if (isPermanent(error)) return { failWindow: true, retry: false };
  return { failWindow: delivery.receiveCount >= delivery.maxReceives, retry: true };
}
