import { TokenProvider, type TokenProviderOptions } from './token-provider.js';
import { WorkAnalyticsClient } from './wa-client.js';

/** A connection: the token provider's options, which the client shares. */
export type WorkAnalyticsOptions = TokenProviderOptions;

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
