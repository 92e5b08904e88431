import type { Credentials } from '../adapters/token-provider.js';
import { DEFAULT_BASE_URL } from '../adapters/wa-client.js';
import { UsageError } from './usage.js';

/** The endpoint and credentials of a CLI run: from `--secret-id`, or from the WA_* environment variables. */
export async function resolveConnection(
  secretId: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ baseUrl: string; credentials: Credentials }> {
  const baseUrl = env.WA_BASE_URL || DEFAULT_BASE_URL;
  if (!/^https?:\/\/[^\s]+$/.test(baseUrl))
    throw new UsageError(`WA_BASE_URL "${baseUrl}" is not an http(s) URL`);
  if (secretId) {
    const [{ SecretsManagerClient }, { readCredentialsSecret }] = await Promise.all([
      import('@aws-sdk/client-secrets-manager'),
      import('../adapters/secret-credentials.js'),
    ]);
    return { baseUrl, credentials: await readCredentialsSecret(new SecretsManagerClient({}), secretId) };
  }
  const missing = ['WA_API_KEY', 'WA_USERNAME', 'WA_PASSWORD'].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new UsageError(
      `${missing.join(', ')} not set: export WA_API_KEY, WA_USERNAME and WA_PASSWORD, or pass --secret-id`,
    );
  }
  return {
    baseUrl,
    credentials: {
      apiKey: env.WA_API_KEY ?? '',
      username: env.WA_USERNAME ?? '',
      password: env.WA_PASSWORD ?? '',
    },
  };
}
