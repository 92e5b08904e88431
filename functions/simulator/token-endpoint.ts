import {
  type Answer,
  badCredentials,
  invalidApiKey,
  json,
  unknownUser,
  unsupportedContentType,
} from './errors.js';
import type { SimContext } from './report-endpoint.js';

/** The outcome of a login: the answer, and whether a token was issued. */
export interface LoginResult {
  answer: Answer;
  token: string | undefined;
}

/**
 * Answers POST /v1/oauth/token: API key first (SHA001), then the content type, then the form's credentials
 * (unknown user and wrong password are told apart, as the real service does).
 */
export function answerLogin(
  ctx: SimContext,
  ttlSeconds: number,
  headers: Record<string, unknown>,
  body: string,
): LoginResult {
  if (headers['8x8-apikey'] !== ctx.apiKey) return { answer: invalidApiKey(), token: undefined };
  const type = typeof headers['content-type'] === 'string' ? headers['content-type'] : '';
  if (type.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    return { answer: unsupportedContentType(), token: undefined };
  }
  const form = new URLSearchParams(body);
  if (form.get('username') !== ctx.username) return { answer: unknownUser(), token: undefined };
  if (form.get('password') !== ctx.password) return { answer: badCredentials(), token: undefined };
  const token = ctx.tokens.issue();
  return { answer: json(200, { access_token: token, token_type: 'bearer', expires_in: ttlSeconds }), token };
}
