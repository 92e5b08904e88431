/**
 * Error answers in the shapes of the spec's examples. Codes of the 105-400 family other than 105-400-038 are
 * the simulator's own: the docs list none, and clients should branch on the status, not on these.
 */

/** A response before it is written: status, body, extra headers. */
export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
  /** Rows in a data page (for the counters). */
  rows?: number;
}

export const ERROR_CODES = {
  missingParameter: '105-400-001',
  invalidTime: '105-400-002',
  invalidTimeZone: '105-400-003',
  invalidPageSize: '105-400-004',
  invalidPbxId: '105-400-005',
  callLegsOnly: '105-400-006',
  invalidScrollId: '105-400-007',
  invalidFilter: '105-400-008',
  invalidBoolean: '105-400-009',
  invalidRange: '105-400-010',
  invalidExtId: '105-400-011',
  noAnalyticsAccess: '105-400-038',
} as const;

/** One problem with a request parameter, before it becomes a 400 body. */
export interface ParamProblem {
  param: string;
  code: string;
  message: string;
  type: 'missingValue' | 'invalidValue';
  hint: string;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): Answer {
  return { status, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

/** The spec's exact answer to a missing or wrong `8x8-apikey`. */
export function invalidApiKey(): Answer {
  return json(400, {
    status: 400,
    message: 'Invalid 8x8-apikey',
    code: 'SHA001',
    details: [
      {
        type: 'invalidValue',
        location: 'header',
        path: ['8x8-apikey'],
        hint: "Please provide valid apikey. If you don't have one, please sign up and create a developer account",
      },
    ],
  });
}

/** The token endpoint's answer to a body that is not a form, in the SHA001 family's shape. */
export function unsupportedContentType(): Answer {
  return json(400, {
    status: 400,
    message: 'Unsupported content type',
    code: 'SHA002',
    details: [
      {
        type: 'invalidValue',
        location: 'header',
        path: ['Content-Type'],
        hint: 'Send the credentials as application/x-www-form-urlencoded',
      },
    ],
  });
}

export function unknownUser(): Answer {
  return json(400, { error_description: 'USER_NOTFOUND_ERROR', error: 'invalid_grant' });
}

export function badCredentials(): Answer {
  return json(400, { error: 'invalid_grant', error_description: 'Bad credentials' });
}

/** 401 for a missing, malformed, unknown, revoked or expired token; the token itself is never echoed. */
export function invalidToken(description: string): Answer {
  return json(401, { error: 'invalid_token', error_description: description });
}

export function badParam(p: ParamProblem): Answer {
  return json(400, {
    status: 400,
    message: p.message,
    code: p.code,
    details: [{ type: p.type, location: 'query', path: [p.param], hint: p.hint }],
  });
}

export function noAnalyticsAccess(): Answer {
  return json(400, {
    status: 400,
    message:
      'The user does not have access to Analytics for Work: an Analytics licence and access level are required',
    code: ERROR_CODES.noAnalyticsAccess,
    details: [],
  });
}

/** The spec's 403: the user may not read one of the requested PBXes. */
export function accessDenied(username: string, pbxId: string, path: string, nowMs: number): Answer {
  const text = `user(${username.replace('@', '.')}) does not have access to pbxId(${pbxId}) to make this request.`;
  return json(403, {
    timeStamp: new Date(nowMs).toISOString().replace('Z', '+0000'),
    status: 403,
    error: 'Access Denied',
    exception: text,
    message: text,
    path: `/api/analytics/report/external${path}`,
  });
}

export function tooManyRequests(retryAfter: string): Answer {
  return json(
    429,
    { status: 429, error: 'Too Many Requests', message: 'Rate limit exceeded' },
    { 'retry-after': retryAfter },
  );
}

/** What a load balancer in front of the API sends when the backend fails: HTML, not JSON. */
export function gatewayError(status: number): Answer {
  const title = `${status} ${status === 502 ? 'Bad Gateway' : status === 504 ? 'Gateway Time-out' : 'Service Temporarily Unavailable'}`;
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return { status, body, headers: { 'content-type': 'text/html' } };
}

export function notFound(path: string, nowMs: number): Answer {
  return json(404, { timestamp: new Date(nowMs).toISOString(), status: 404, error: 'Not Found', path });
}

export function methodNotAllowed(allow: string): Answer {
  return json(405, { status: 405, error: 'Method Not Allowed' }, { allow });
}
