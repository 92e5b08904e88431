import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidApiKeyError,
  MalformedAnswerError,
  PbxListAccessError,
} from '../../../functions/adapters/wa-errors.js';
import { assertKnownPbxes, parsePbxPage, UnknownPbxError } from '../../../functions/adapters/wa-pbxes.js';
import type { RetryEvent } from '../../../functions/adapters/wa-retry.js';
import { createWorkAnalytics } from '../../../functions/adapters/work-analytics.js';
import {
  pbxObjectId,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../../functions/simulator/index.js';

const NOW = Date.UTC(2026, 5, 10, 16);

/** A client on a simulator with a fixed clock; sleeps are recorded, not waited. */
function connect(sim: Simulator, apiKey = sim.apiKey) {
  const retries: RetryEvent[] = [];
  const wa = createWorkAnalytics({
    baseUrl: sim.baseUrl,
    credentials: { apiKey, username: sim.username, password: sim.password },
    policy: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 100, requestTimeoutMs: 2000 },
    deps: { now: () => NOW, sleep: async () => {}, random: () => 0.5 },
    onRetry: (event) => retries.push(event),
  });
  return { ...wa, retries };
}

const started: Simulator[] = [];
async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ now: () => NOW, ...options });
  started.push(sim);
  return sim;
}
afterAll(() => Promise.all(started.map((sim) => sim.close())));

describe('WorkAnalyticsClient.listPbxes', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator({ deniedPbxIds: ['acme-eu'], deletedPbxIds: ['acme-old'] });
  });
  afterEach(() => {
    sim.faults.plan = undefined;
  });

  it('lists the PBXes with ids and names, denied ones included, and names only those not deleted', async () => {
    const list = await connect(sim).client.listPbxes();
    expect(list.pbxes).toEqual([
      { id: pbxObjectId(1, 'acme-eu'), name: 'acme-eu', deleted: false },
      { id: pbxObjectId(1, 'acme-old'), name: 'acme-old', deleted: true },
      { id: pbxObjectId(1, 'acmecorp'), name: 'acmecorp', deleted: false },
      { id: pbxObjectId(1, 'acmecorp2'), name: 'acmecorp2', deleted: false },
    ]);
    expect(list.names).toEqual(['acme-eu', 'acmecorp', 'acmecorp2']);
  });

  it('reads every page of a long list', async () => {
    const pbxIds = Array.from({ length: 90 }, (_, i) => `pbx-${String(i).padStart(3, '0')}`);
    const big = await simulator({
      pbxIds,
      deletedPbxIds: ['gone-1', 'gone-2', 'gone-3', ...pbxIds.map((p) => `old-${p}`)],
    });
    const list = await connect(big).client.listPbxes();
    expect(list.pbxes).toHaveLength(183);
    expect(list.names).toEqual(pbxIds);
    expect(big.stats.reportRequests['/v2/pbxes/']).toBe(2);
  });

  it('retries a 503 and a truncated answer, and logs in again once after a 401', async () => {
    const c = connect(sim);
    await c.tokens.token();
    sim.revokeTokens();
    let n = 0;
    sim.faults.plan = (req) =>
      req.path !== '/v2/pbxes/'
        ? undefined
        : [undefined, { kind: '5xx' as const }, { kind: 'truncated' as const }][n++];
    const list = await c.client.listPbxes();
    expect(list.names).toHaveLength(3);
    expect(c.retries.map((r) => r.reason)).toEqual([
      'token refused (401): logged in again',
      '/v2/pbxes/ answered 503',
      '/v2/pbxes/ answered 200 with a malformed body',
    ]);
  });

  it('throws MalformedAnswerError when every answer is valid JSON of another shape', async () => {
    sim.faults.plan = () => ({ kind: 'json-shape' });
    const c = connect(sim);
    const error = await c.client.listPbxes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedAnswerError);
    expect((error as Error).message).toMatch(
      /answered \/v2\/pbxes\/ with a body that is not the documented one/,
    );
    expect((error as Error).message).toMatch(/WA_BASE_URL/);
    expect(c.retries).toHaveLength(4);
  });

  it('throws PbxListAccessError on a 403, and InvalidApiKeyError on a bad API key, without retrying', async () => {
    const noLicence = await simulator({ analyticsAccess: false });
    const denied = connect(noLicence);
    const error = await denied.client.listPbxes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PbxListAccessError);
    expect((error as Error).message).toMatch(/may not list the account's PBXes \(403 .*Analytics/);
    expect(denied.retries).toEqual([]);
    const badKey = await connect(sim, 'wrong-key-77')
      .client.listPbxes()
      .catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(InvalidApiKeyError);
  });
});

describe('parsePbxPage', () => {
  it("reads the spec's example, which nests page and _links in _embedded", () => {
    const example = {
      _embedded: {
        pbxList: [{ id: 'rXp_ceLVQs6RYjUp1Iqqwa', name: 'aPbx', deleted: false }],
        _links: { self: { href: 'https://api.8x8.com/analytics/work/v2/pbxes/?page=0&size=50' } },
        page: { size: 50, totalElements: 1, totalPages: 1, number: 0 },
      },
    };
    expect(parsePbxPage(example)).toEqual({
      pbxes: [{ id: 'rXp_ceLVQs6RYjUp1Iqqwa', name: 'aPbx', deleted: false }],
      more: false,
    });
  });

  it.each([
    ['a report page', { meta: { totalRecordCount: 0, scrollId: 'No Data' }, data: [] }],
    ['a PBX without a name', { _embedded: { pbxList: [{ id: 'x' }] } }],
    ['not JSON', undefined],
  ])('refuses %s', (_name, body) => {
    expect(() => parsePbxPage(body)).toThrow(/not a PBX list page/);
  });
});

describe('assertKnownPbxes', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator({ deniedPbxIds: ['acme-eu'], deletedPbxIds: ['acme-old'] });
  });

  it('passes known PBX names, denied ones included, and allpbxes without asking', async () => {
    const { client } = connect(sim);
    await expect(assertKnownPbxes(client, ['acmecorp', 'acme-eu'])).resolves.toMatchObject({
      names: ['acme-eu', 'acmecorp', 'acmecorp2'],
    });
    const before = sim.stats.reportRequests['/v2/pbxes/'] ?? 0;
    await expect(assertKnownPbxes(client, ['allpbxes'])).resolves.toBeUndefined();
    expect(sim.stats.reportRequests['/v2/pbxes/'] ?? 0).toBe(before);
  });

  it('names the unknown ids, the known ones, and what to do', async () => {
    const { client } = connect(sim);
    const id = pbxObjectId(1, 'acmecorp2');
    const error = await assertKnownPbxes(client, ['acmecorp', 'ACMECORP', 'acme-old', id, 'nope']).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnknownPbxError);
    expect(error).toMatchObject({ unknown: ['ACMECORP', 'acme-old', id, 'nope'] });
    const message = (error as Error).message;
    expect(message).toMatch(`Unknown 8x8 PBX ids: ACMECORP, acme-old, ${id}, nope.`);
    expect(message).toMatch("The account's PBXes are: acme-eu, acmecorp, acmecorp2.");
    expect(message).toMatch('ACMECORP: did you mean acmecorp?');
    expect(message).toMatch('acme-old is deleted.');
    expect(message).toMatch(`${id} is the id of the PBX named acmecorp2: reports take the name.`);
    expect(message).toMatch('CDK context pbxIds, Lambda env PBX_IDS, walake run --pbx');
    expect(message).toMatch('Nothing was written.');
  });

  it('checks allpbxes in any other spelling, or among names, as a PBX name, and says how to write it', async () => {
    const { client } = connect(sim);
    const error = await assertKnownPbxes(client, ['AllPbxes']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownPbxError);
    expect((error as Error).message).toMatch('for every PBX, write allpbxes alone, in lower case.');
    await expect(assertKnownPbxes(client, ['acmecorp2', 'allpbxes'])).rejects.toBeInstanceOf(UnknownPbxError);
  });
});
