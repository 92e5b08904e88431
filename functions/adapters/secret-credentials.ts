import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { WalakeError } from '../core/errors.js';
import '../core/zod.js';
import type { Credentials } from './token-provider.js';

/** The secret's value: a JSON object with the three fields 8x8 needs to issue a token. */
export const credentialsSecretSchema = z.object({
  apiKey: z.string().check(z.minLength(1)),
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
});

/** A secret that is missing, empty or not of the expected shape; the message never quotes its value. */
export class CredentialsSecretError extends WalakeError {
  override readonly retryable = false;
  override name = 'CredentialsSecretError';
}

/**
 * A secret that holds no credentials yet: empty, or still the random placeholder Secrets Manager generated when
 * the stack created it (text that is not a JSON object). The planner waits for it quietly instead of failing
 * and alarming on every tick of a fresh deployment; a value that starts as JSON but is malformed stays a
 * {@link CredentialsSecretError}.
 */
export class SecretNotSetError extends CredentialsSecretError {
  override name = 'SecretNotSetError';
}

/** Reads `{apiKey, username, password}` from Secrets Manager. */
export async function readCredentialsSecret(
  client: SecretsManagerClient,
  secretId: string,
): Promise<Credentials> {
  let text: string | undefined;
  try {
    text = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
  } catch (error) {
    throw new CredentialsSecretError(
      `Could not read the secret ${secretId} (${error instanceof Error ? error.name : String(error)}): check its name and this role's ` +
        'secretsmanager:GetSecretValue permission.',
    );
  }
  return parseCredentialsSecret(secretId, text);
}

/** Validates a secret string; the error names the missing fields, never a value. */
export function parseCredentialsSecret(secretId: string, text: string | undefined): Credentials {
  const hint = `Set it with: aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string '{"apiKey":"…","username":"…","password":"…"}'`;
  if (!text) throw new SecretNotSetError(`The secret ${secretId} has no value yet. ${hint}`);
  if (!text.trimStart().startsWith('{'))
    throw new SecretNotSetError(
      `The secret ${secretId} holds no credentials yet (the placeholder the stack created). ${hint}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsSecretError(`The secret ${secretId} is not JSON. ${hint}`);
  }
  const parsed = credentialsSecretSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new CredentialsSecretError(
      `The secret ${secretId} lacks a non-empty ${fields.join(', ')}. ${hint}`,
    );
  }
  return parsed.data;
}
