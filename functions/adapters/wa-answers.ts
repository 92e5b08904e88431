import { parseExactJson } from '../core/exact-json.js';
import {
  BadRequestError,
  InvalidApiKeyError,
  InvalidCredentialsError,
  NoAnalyticsAccessError,
  PbxAccessDeniedError,
  redact,
  ScrollRejectedError,
  TokenRejectedError,
  type WorkAnalyticsError,
} from './wa-errors.js';

/** An HTTP answer read in full: status, headers we use, and the body text. */
export interface RawAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
}

export async function readAnswer(response: Response): Promise<RawAnswer> {
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    text: await response.text(),
  };
}

/** Whether a status is worth another attempt: throttling and server-side failures. */
export function isTransient(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

/** Parses JSON, or undefined when the body is not JSON (a truncated answer, an HTML error page). */
export function parseJson(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    return undefined;
  }
}

interface ErrorBody {
  code?: unknown;
  error?: unknown;
  error_description?: unknown;
  message?: unknown;
  messages?: unknown;
  exception?: unknown;
}

/** What an error answer says, secrets removed, in at most 300 characters. */
export function answerDetail(answer: RawAnswer, secrets: readonly (string | undefined)[]): string {
  const body = (parseJson(answer.text) ?? {}) as ErrorBody;
  const text = (value: unknown) => (typeof value === 'string' ? redact(value, secrets).slice(0, 300) : '');
  // The customer-data API (/v2/pbxes/) says it in a list.
  const messages = Array.isArray(body.messages) ? body.messages.filter((m) => typeof m === 'string') : [];
  return (
    text(body.message) ||
    text(messages.join('; ')) ||
    text(body.error_description) ||
    text(body.error) ||
    text(answer.text) ||
    'no detail'
  );
}

/**
 * Turns a non-transient error answer into the typed error that says what to do. `afterScroll` marks a request
 * that carried a scrollId: a plain 400 there means the cursor was refused, since the same parameters were
 * accepted on the chain's first page.
 */
export function errorForAnswer(
  answer: RawAnswer,
  secrets: readonly (string | undefined)[],
  afterScroll: boolean,
): WorkAnalyticsError {
  const body = (parseJson(answer.text) ?? {}) as ErrorBody;
  const text = (value: unknown) => (typeof value === 'string' ? redact(value, secrets).slice(0, 300) : '');
  const detail = answerDetail(answer, secrets);
  if (body.code === 'SHA001') return new InvalidApiKeyError();
  if (body.code === '105-400-038') return new NoAnalyticsAccessError();
  if (body.error === 'invalid_grant')
    return new InvalidCredentialsError(text(body.error_description) || 'refused');
  if (answer.status === 401) return new TokenRejectedError(detail);
  if (answer.status === 403)
    return new PbxAccessDeniedError(text(body.message) || text(body.exception) || detail);
  if (afterScroll && (answer.status === 400 || answer.status === 404 || answer.status === 410)) {
    return new ScrollRejectedError(answer.status, detail);
  }
  return new BadRequestError(answer.status, detail);
}
