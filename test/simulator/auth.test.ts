import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { getReport, login, type PageBody } from './test-client.js';

let clock = Date.UTC(2026, 5, 20, 12);
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ now: () => clock, tokenTtlSeconds: 600, deniedPbxIds: ['acme-eu'] });
});
afterAll(() => sim.close());

const QUERY = {
  pbxId: 'acmecorp',
  startTime: '2026-06-10 14:00:00',
  endTime: '2026-06-10 15:00:00',
  timeZone: 'UTC',
  pageSize: '5',
};
const FORM = 'application/x-www-form-urlencoded';

async function postToken(headers: Record<string, string>, body: string) {
  const res = await fetch(`${sim.baseUrl}/v1/oauth/token`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('POST /v1/oauth/token', () => {
  const form = () => new URLSearchParams({ username: sim.username, password: sim.password }).toString();

  it('issues a bearer token with the configured expires_in, a different one on every login', async () => {
    const a = await postToken({ '8x8-apikey': sim.apiKey, 'content-type': FORM }, form());
    const b = await postToken({ '8x8-apikey': sim.apiKey, 'content-type': `${FORM}; charset=UTF-8` }, form());
    expect(a).toMatchObject({ status: 200, body: { token_type: 'bearer', expires_in: 600 } });
    expect(a.body.access_token).toMatch(/^eyJhbGciOiJSUzI1NiJ9\.[\w-]+\.[\w-]+$/);
    expect(b.body.access_token).not.toBe(a.body.access_token);
    expect(sim.stats.issuedTokens).toContain(a.body.access_token);
  });

  it.each([
    ['no API key', { 'content-type': FORM }, 'SHA001'],
    ['a wrong API key', { '8x8-apikey': 'wrong', 'content-type': FORM }, 'SHA001'],
    ['a JSON body', { '8x8-apikey': 'sim-api-key', 'content-type': 'application/json' }, 'SHA002'],
    ['no content type', { '8x8-apikey': 'sim-api-key' }, 'SHA002'],
  ])('refuses %s with a 400 %s body', async (_name, headers, code) => {
    const res = await postToken(headers, form());
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code, details: [{ location: 'header' }] });
  });

  it('tells an unknown user from a wrong password', async () => {
    const headers = { '8x8-apikey': sim.apiKey, 'content-type': FORM };
    const unknown = await postToken(headers, 'username=nobody%40example.com&password=sim-password');
    const wrong = await postToken(
      headers,
      new URLSearchParams({ username: sim.username, password: 'x' }).toString(),
    );
    expect(unknown).toEqual({
      status: 400,
      body: { error_description: 'USER_NOTFOUND_ERROR', error: 'invalid_grant' },
    });
    expect(wrong).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Bad credentials' },
    });
  });
});

describe('report authentication', () => {
  it.each([
    ['no Authorization header', undefined, 'Full authentication'],
    ['a token that is not a JWT', 'abc', 'Cannot convert access token to JSON'],
    ['a token it never issued', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'Invalid access token'],
  ])('answers 401 invalid_token to %s', async (_name, token, description) => {
    const res = await getReport(sim, '/v2/call-legs', QUERY, token);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: 'invalid_token' });
    expect((res.json as { error_description: string }).error_description).toContain(description);
  });

  it('checks the API key before the token', async () => {
    const res = await getReport(sim, '/v2/call-records', QUERY, undefined, { '8x8-apikey': '' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'SHA001' });
  });

  it('expires a token after expires_in seconds by the injected clock', async () => {
    const token = await login(sim);
    clock += 599_000;
    expect((await getReport(sim, '/v2/call-legs', QUERY, token)).status).toBe(200);
    clock += 1_000;
    const expired = await getReport(sim, '/v2/call-legs', QUERY, token);
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ error: 'invalid_token', error_description: 'Access token expired' });
    expect(expired.text).not.toContain(token);
  });

  it('refuses every token issued before revokeTokens(), and accepts new ones', async () => {
    const token = await login(sim);
    expect((await getReport(sim, '/v2/call-legs', QUERY, token)).status).toBe(200);
    sim.revokeTokens();
    const revoked = await getReport(sim, '/v2/call-legs', QUERY, token);
    expect(revoked.status).toBe(401);
    expect(revoked.json).toMatchObject({ error: 'invalid_token' });
    expect((await getReport(sim, '/v2/call-legs', QUERY, await login(sim))).status).toBe(200);
  });
});

describe('access', () => {
  it('answers 403 for a denied PBX, and leaves it out of allpbxes', async () => {
    const token = await login(sim);
    const denied = await getReport(sim, '/v2/call-records', { ...QUERY, pbxId: 'acme-eu' }, token);
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({
      status: 403,
      error: 'Access Denied',
      message: 'user(analyst.example.com) does not have access to pbxId(acme-eu) to make this request.',
      path: '/api/analytics/report/external/v2/call-records',
    });
    const all = (
      await getReport(sim, '/v2/call-legs', { ...QUERY, pbxId: 'allpbxes', pageSize: '7000' }, token)
    ).json as PageBody;
    expect(all.data.length).toBeGreaterThan(0);
    expect(new Set(all.data.map((r) => r.pbxId))).toEqual(new Set(['acmecorp', 'acmecorp2']));
  });

  it('answers 400 105-400-038 to a user without Analytics access, even with a valid token', async () => {
    const noLicence = await startSimulator({ analyticsAccess: false });
    try {
      const res = await getReport(noLicence, '/v2/call-legs', QUERY, await login(noLicence));
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ status: 400, code: '105-400-038' });
    } finally {
      await noLicence.close();
    }
  });
});
