import { errorForAnswer, isTransient, parseJson, readAnswer } from './wa-answers.js';
import { InvalidCredentialsError } from './wa-errors.js';
import {
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type RetryDeps,
  realRetryDeps,
  type Transport,
  withRetries,
} from './wa-retry.js';

/** What logs in to 8x8 Work Analytics: an API key and the username and password of a user with Analytics. */
export interface Credentials {
  apiKey: string;
  username: string;
  password: string;
}

export interface TokenProviderOptions extends Transport {
  /** e.g. https://api.8x8.com/analytics/work */
  baseUrl: string;
  credentials: Credentials;
  onLogin?: () => void;
}

interface Cached {
  token: string;
  refreshAtMs: number;
}

/**
 * Holds one bearer token per container. 8x8 issues no refresh token, so the provider logs in again shortly
 * before `expires_in` runs out, or once when a report answers 401. Concurrent callers share one login in flight.
 */
export class TokenProvider {
  private cached: Cached | undefined;
  private inFlight: Promise<Cached> | undefined;
  private readonly fetchImpl: typeof fetch;
  private readonly deps: RetryDeps;

  constructor(private readonly options: TokenProviderOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.deps = options.deps ?? realRetryDeps;
  }

  /** The secrets that must never appear in a message: the API key, the password and the current token. */
  secrets(): string[] {
    const { apiKey, password } = this.options.credentials;
    return [apiKey, password, this.cached?.token].filter((s): s is string => Boolean(s));
  }

  /** A valid token, logging in when there is none or it is about to expire. */
  async token(deadlineMs?: number): Promise<string> {
    if (this.cached && this.deps.now() < this.cached.refreshAtMs) return this.cached.token;
    this.inFlight ??= this.login(deadlineMs).finally(() => {
      this.inFlight = undefined;
    });
    return (await this.inFlight).token;
  }

  /** Forgets `token` after a 401, unless another caller already replaced it. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async login(deadlineMs?: number): Promise<Cached> {
    const { baseUrl, credentials } = this.options;
    const body = new URLSearchParams({ username: credentials.username, password: credentials.password });
    const cached = await withRetries<Cached>(
      async (signal) => {
        const started = this.deps.now();
        const answer = await readAnswer(
          await this.fetchImpl(`${baseUrl}/v1/oauth/token`, {
            method: 'POST',
            headers: {
              '8x8-apikey': credentials.apiKey,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body,
            signal,
          }),
        );
        if (isTransient(answer.status)) {
          return {
            retry: `login answered ${answer.status}`,
            retryAfterMs: parseRetryAfter(answer.retryAfter, this.deps.now()),
          };
        }
        if (answer.status === 401) throw new InvalidCredentialsError('401 on login');
        if (answer.status !== 200) throw errorForAnswer(answer, this.secrets(), false);
        const json = parseJson(answer.text) as { access_token?: unknown; expires_in?: unknown } | undefined;
        if (
          typeof json?.access_token !== 'string' ||
          typeof json.expires_in !== 'number' ||
          !json.access_token
        ) {
          return { retry: 'login answered 200 without access_token and expires_in' };
        }
        const lifetimeMs = json.expires_in * 1000;
        // Renew a little early: a token must not expire between the check and the report request.
        const marginMs = Math.min(60_000, lifetimeMs * 0.1);
        return { value: { token: json.access_token, refreshAtMs: started + lifetimeMs - marginMs } };
      },
      {
        policy: this.options.policy ?? DEFAULT_RETRY_POLICY,
        deps: this.deps,
        deadlineMs,
        onRetry: this.options.onRetry,
      },
    );
    this.cached = cached;
    this.options.onLogin?.();
    return cached;
  }
}
