import { randomBytes, randomUUID } from 'node:crypto';

interface Issued {
  expiresAt: number;
  revoked: boolean;
}

const JWT_HEADER = Buffer.from('{"alg":"RS256"}').toString('base64url');

/**
 * Access tokens: JWT-looking, random, unique per login, valid for `ttlSeconds` by the injected clock. Revocation
 * marks every token issued so far; tokens issued later are fine.
 */
export class TokenStore {
  private readonly tokens = new Map<string, Issued>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number,
  ) {}

  issue(): string {
    const iat = Math.floor(this.now() / 1000);
    const payload = {
      sub: randomBytes(12).toString('base64url'),
      iss: 'https://platform.8x8.com',
      typ: 'access',
      aud: 'dashboard',
      exp: iat + this.ttlSeconds,
      iat,
      jti: randomUUID(),
    };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const token = `${JWT_HEADER}.${body}.${randomBytes(256).toString('base64url')}`;
    this.tokens.set(token, { expiresAt: this.now() + this.ttlSeconds * 1000, revoked: false });
    return token;
  }

  revokeAll(): void {
    for (const issued of this.tokens.values()) issued.revoked = true;
  }

  /** undefined when the Authorization header carries a valid token, else the 401's error_description. */
  check(authorization: string | undefined): string | undefined {
    if (!authorization) return 'Full authentication is required to access this resource';
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!m?.[1]) return 'Full authentication is required to access this resource';
    const token = m[1];
    if (token.split('.').length !== 3) return 'Cannot convert access token to JSON';
    const issued = this.tokens.get(token);
    if (!issued) return 'Invalid access token';
    if (issued.revoked) return 'Access token has been revoked';
    if (this.now() >= issued.expiresAt) return 'Access token expired';
    return undefined;
  }
}
