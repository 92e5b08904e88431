import { type Credentials, TokenProvider } from './token-provider.js';
import { WorkAnalyticsClient } from './wa-client.js';
import type { RetryDeps, RetryEvent, RetryPolicy } from './wa-retry.js';

export interface WorkAnalyticsOptions {
  baseUrl: string;
  credentials: Credentials;
  fetch?: typeof fetch;
  policy?: RetryPolicy;
  deps?: RetryDeps;
  onRetry?: (event: RetryEvent) => void;
  onLogin?: () => void;
}

/** Wires a token provider and a client that share one login, as one Lambda container or CLI run uses them. */
export function createWorkAnalytics(options: WorkAnalyticsOptions): {
  client: WorkAnalyticsClient;
  tokens: TokenProvider;
} {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const tokens = new TokenProvider({ ...options, baseUrl });
  const client = new WorkAnalyticsClient({
    baseUrl,
    apiKey: options.credentials.apiKey,
    tokens,
    fetch: options.fetch,
    policy: options.policy,
    deps: options.deps,
    onRetry: options.onRetry,
  });
  return { client, tokens };
}
