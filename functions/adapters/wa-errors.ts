import { WalakeError } from '../core/errors.js';
/**
 * Errors of the 8x8 Work Analytics client. Each message says what happened and what to do about it, and never
 * carries the API key, the password or a token (messages built from API answers pass through `redact`).
 */
export class WorkAnalyticsError extends WalakeError {
  /** Whether the same request may succeed later: the pipeline lets such a task be redelivered. */
  override readonly retryable: boolean = false;
  override name = 'WorkAnalyticsError';
}

export class InvalidApiKeyError extends WorkAnalyticsError {
  override name = 'InvalidApiKeyError';
  constructor() {
    super(
      'The 8x8 API key was refused (400 SHA001). Check the apiKey in the secret or WA_API_KEY: it is the "Key" of an ' +
        'API key created in the 8x8 Admin Console (the secret part is not needed for Work Analytics).',
    );
  }
}

export class InvalidCredentialsError extends WorkAnalyticsError {
  override name = 'InvalidCredentialsError';
  constructor(detail: string) {
    super(
      `The 8x8 username or password was refused (invalid_grant: ${detail}). Check the username and password in the ` +
        'secret or WA_USERNAME/WA_PASSWORD, and that this user has opened Work Analytics in a browser at least once.',
    );
  }
}

export class NoAnalyticsAccessError extends WorkAnalyticsError {
  override name = 'NoAnalyticsAccessError';
  constructor() {
    super(
      'The 8x8 user has no access to Work Analytics (400 105-400-038). Give the user the Analytics licence and ' +
        'access level in the 8x8 Admin Console, or use the credentials of a user who has them.',
    );
  }
}

export class PbxAccessDeniedError extends WorkAnalyticsError {
  override name = 'PbxAccessDeniedError';
  constructor(detail: string) {
    super(
      `The 8x8 user may not read this PBX (403: ${detail}). Grant the user access to the PBX in the 8x8 Admin ` +
        'Console, or remove the PBX from the configured pbxIds.',
    );
  }
}

export class BadRequestError extends WorkAnalyticsError {
  override name = 'BadRequestError';
  constructor(status: number, detail: string) {
    super(
      `The 8x8 API refused the request (${status}: ${detail}). Check the PBX ids, the time range, the page size and ` +
        'the base URL (WA_BASE_URL).',
    );
  }
}

/** The API no longer accepts a chain's cursor: the window must be pulled again from its first page. */
export class ScrollRejectedError extends WorkAnalyticsError {
  override name = 'ScrollRejectedError';
  /** The mark core's worker reads (functions/core/ports.ts) to start the window over. */
  readonly cursorRejected = true;
  constructor(status: number, detail: string) {
    super(
      `The 8x8 API rejected the scrollId of this chain (${status}: ${detail}). The window is restarted as a new ` +
        'attempt from its first page.',
    );
  }
}

/** A token refused right after a new login: odd and transient, so the task is retried later. */
export class TokenRejectedError extends WorkAnalyticsError {
  override readonly retryable = true;
  override name = 'TokenRejectedError';
  constructor(detail: string) {
    super(
      `The 8x8 API refused a token that was just issued (401: ${detail}). The task is retried later; if this ` +
        'persists, check that the API key and the user belong to the same 8x8 account.',
    );
  }
}

/** A 403 on the PBX list (`/v2/pbxes/`): the user may not read the account's PBXes at all. */
export class PbxListAccessError extends WorkAnalyticsError {
  override name = 'PbxListAccessError';
  constructor(detail: string) {
    super(
      `The 8x8 user may not list the account's PBXes (403 on /v2/pbxes/: ${detail}). Give the user the Analytics ` +
        'licence and access level in the 8x8 Admin Console, or use the credentials of a user who has them.',
    );
  }
}

/** A 200 that stayed something other than the documented body through every attempt. */
export class MalformedAnswerError extends WorkAnalyticsError {
  override name = 'MalformedAnswerError';
  constructor(path: string, detail: string, attempts: string) {
    super(
      `The 8x8 API answered ${path} with a body that is not the documented one (${detail}). Check that ` +
        `WA_BASE_URL is https://api.8x8.com/analytics/work; if it is, the API has changed: report it with this ` +
        `message. (${attempts})`,
    );
  }
}

/** A request that the client refuses before sending it. */
export class InvalidQueryError extends WorkAnalyticsError {
  override name = 'InvalidQueryError';
}

/** Transient failures (429, 5xx, network, malformed bodies) outlasted the attempts or the deadline. */
export class RetriesExhaustedError extends WorkAnalyticsError {
  override readonly retryable = true;
  override name = 'RetriesExhaustedError';
  constructor(attempts: number, last: string, reason: 'attempts' | 'deadline') {
    super(
      `The 8x8 API kept failing: ${last} (${attempts} attempt${attempts === 1 ? '' : 's'}, stopped by the ` +
        `${reason === 'deadline' ? 'deadline' : 'attempt limit'}). The task is retried later; if this persists, ` +
        'check the 8x8 status page and then redrive the dead-letter queue.',
    );
  }
}

/** Replaces every occurrence of a secret in `text` with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}
