import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pbxObjectId, type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { getReport, login } from './test-client.js';

const NOW = Date.UTC(2026, 5, 10, 16);
let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({
    now: () => NOW,
    pbxIds: ['acmecorp', 'acmecorp2', 'acme-eu'],
    deniedPbxIds: ['acme-eu'],
    deletedPbxIds: ['acme-old'],
  });
  token = await login(sim);
});
afterAll(() => sim.close());

interface PbxPage {
  _embedded?: { pbxList: { id: string; name: string; deleted: boolean }[] };
  _links: Record<string, { href: string }>;
  page: { size: number; totalElements: number; totalPages: number; number: number };
}

const pbxes = (query: Record<string, string> = {}, path = '/v2/pbxes/') => getReport(sim, path, query, token);

describe('GET /v2/pbxes/', () => {
  it('lists every PBX of the customer by name with an opaque id, denied ones included, deleted ones flagged', async () => {
    const res = await pbxes();
    expect(res.status).toBe(200);
    const body = res.json as PbxPage;
    expect(body._embedded?.pbxList).toEqual([
      { id: pbxObjectId(1, 'acme-eu'), name: 'acme-eu', deleted: false },
      { id: pbxObjectId(1, 'acme-old'), name: 'acme-old', deleted: true },
      { id: pbxObjectId(1, 'acmecorp'), name: 'acmecorp', deleted: false },
      { id: pbxObjectId(1, 'acmecorp2'), name: 'acmecorp2', deleted: false },
    ]);
    expect(body._embedded?.pbxList[0]?.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.page).toEqual({ size: 50, totalElements: 4, totalPages: 1, number: 0 });
    expect(body._links.self?.href).toBe('https://api.8x8.com/analytics/work/v2/pbxes/?page=0&size=50');
    expect((await pbxes({}, '/v2/pbxes')).json).toEqual(body);
  });

  it('pages with page and size, links the next page, and leaves _embedded out of an empty page', async () => {
    const first = (await pbxes({ page: '0', size: '3', sort: 'name,DESC' })).json as PbxPage;
    expect(first._embedded?.pbxList.map((p) => p.name)).toEqual(['acmecorp2', 'acmecorp', 'acme-old']);
    expect(first.page).toEqual({ size: 3, totalElements: 4, totalPages: 2, number: 0 });
    expect(first._links.next?.href).toMatch(/page=1&size=3$/);
    const second = (await pbxes({ page: '1', size: '3', sort: 'name,DESC' })).json as PbxPage;
    expect(second._embedded?.pbxList.map((p) => p.name)).toEqual(['acme-eu']);
    expect(second._links.next).toBeUndefined();
    const beyond = (await pbxes({ page: '2', size: '3' })).json as PbxPage;
    expect(beyond).not.toHaveProperty('_embedded');
    expect(beyond.page.totalElements).toBe(4);
  });

  it('refuses a size outside 1..100 with the ErrorResponse shape', async () => {
    const res = await pbxes({ size: '101' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      timestamp: '2026-06-10T16:00:00.000+0000',
      status: 400,
      messages: ["Invalid size: '101'. A value between 1 and 100 is supported"],
      path: '/analytics/work/v2/pbxes/',
    });
  });

  it('checks the API key and the token like the reports, and answers 403 to a user without Analytics', async () => {
    expect((await getReport(sim, '/v2/pbxes/', {}, token, { '8x8-apikey': 'nope' })).json).toMatchObject({
      code: 'SHA001',
    });
    expect((await getReport(sim, '/v2/pbxes/', {}, undefined)).status).toBe(401);
    const noLicence = await startSimulator({ analyticsAccess: false, now: () => NOW });
    try {
      const res = await getReport(noLicence, '/v2/pbxes/', {}, await login(noLicence));
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ status: 403, messages: [expect.stringMatching(/Analytics/)] });
    } finally {
      await noLicence.close();
    }
  });

  it('refuses a report on a deleted PBX as an unknown pbxId', async () => {
    const res = await getReport(
      sim,
      '/v2/call-legs',
      {
        pbxId: 'acme-old',
        startTime: '2026-06-10 14:00:00',
        endTime: '2026-06-10 15:00:00',
        timeZone: 'UTC',
        pageSize: '10',
      },
      token,
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ message: expect.stringMatching(/acme-old is not a PBX/) });
  });
});
