import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BadRequestError,
  InvalidApiKeyError,
  InvalidCredentialsError,
  InvalidQueryError,
  NoAnalyticsAccessError,
  PbxAccessDeniedError,
  RetriesExhaustedError,
  ScrollRejectedError,
} from '../../../functions/adapters/wa-errors.js';
import type { RetryEvent } from '../../../functions/adapters/wa-retry.js';
import { createWorkAnalytics } from '../../../functions/adapters/work-analytics.js';
import type { PageQuery } from '../../../functions/core/page-query.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../../functions/simulator/index.js';
import { TestClock } from '../../support/clock.js';

const HOUR = 3_600_000;
const windowStart = Date.UTC(2026, 10, 20, 14);
/** The client's clock: a fixed instant a week after the data, running at real speed for its deadlines. */
const clock = new TestClock(Date.UTC(2026, 10, 28, 12));
const legsQuery: PageQuery = {
  table: 'call-legs',
  pbx: 'allpbxes',
  startMs: windowStart,
  endMs: windowStart + HOUR,
  pageSize: 50,
};

/** A client on a simulator whose sleeps are recorded, not waited: retries stay fast and their delays visible. */
function connect(
  sim: Simulator,
  overrides: { apiKey?: string; password?: string; username?: string } = {},
  now: () => number = clock.now,
) {
  const sleeps: number[] = [];
  const retries: RetryEvent[] = [];
  const logins: number[] = [];
  const wa = createWorkAnalytics({
    baseUrl: sim.baseUrl,
    credentials: {
      apiKey: overrides.apiKey ?? sim.apiKey,
      username: overrides.username ?? sim.username,
      password: overrides.password ?? sim.password,
    },
    policy: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 5000, requestTimeoutMs: 1000 },
    deps: { now, sleep: async (ms) => void sleeps.push(ms), random: Math.random },
    onRetry: (event) => retries.push(event),
    onLogin: () => logins.push(now()),
  });
  return { ...wa, sleeps, retries, logins };
}

async function walk(client: ReturnType<typeof connect>['client'], query: PageQuery) {
  const rows: Record<string, unknown>[] = [];
  let scrollId: string | undefined;
  let requests = 0;
  let firstTotal = -1;
  for (;;) {
    const page = await client.fetchPage({ ...query, scrollId });
    requests++;
    if (firstTotal < 0) firstTotal = page.totalRecordCount;
    if (page.done) return { rows, requests, firstTotal, last: page };
    rows.push(...page.data);
    scrollId = page.scrollId;
  }
}

const started: Simulator[] = [];
async function simulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = await startSimulator({ now: () => Date.UTC(2026, 10, 28, 12), ...options });
  started.push(sim);
  return sim;
}
afterAll(async () => {
  await Promise.all(started.map((sim) => sim.close()));
});

describe('WorkAnalyticsClient against the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await simulator();
  });
  afterEach(() => {
    sim.faults.plan = undefined;
  });

  it('walks a scroll chain to "No Data" and receives every row of the window once', async () => {
    const c = connect(sim);
    const { rows, requests, firstTotal, last } = await walk(c.client, legsQuery);
    const truth = sim.truth({ table: 'call-legs', fromMs: legsQuery.startMs, toMs: legsQuery.endMs + 1000 });
    expect(rows.length).toBe(truth.length);
    expect(rows.map((r) => `${r.callId}/${r.legId}`)).toEqual(
      truth.map((r) => `${r.callId}/${'legId' in r ? r.legId : ''}`),
    );
    expect(firstTotal).toBe(truth.length);
    expect(requests).toBe(Math.ceil(truth.length / 50) + 1);
    expect(last).toMatchObject({ scrollId: 'No Data', totalRecordCount: 0, done: true });
  });

  it('logs in once and reuses the token across pages', async () => {
    const c = connect(sim);
    await walk(c.client, { ...legsQuery, table: 'call-records', pageSize: 20 });
    expect(c.logins).toHaveLength(1);
  });

  it('shares one login among concurrent callers', async () => {
    const c = connect(sim);
    const before = sim.stats.logins;
    await Promise.all(Array.from({ length: 6 }, () => c.client.fetchPage(legsQuery)));
    expect(sim.stats.logins - before).toBe(1);
  });

  it('logs in again once and retries when a report answers 401', async () => {
    const c = connect(sim);
    await c.client.fetchPage(legsQuery);
    sim.revokeTokens();
    const page = await c.client.fetchPage(legsQuery);
    expect(page.data.length).toBeGreaterThan(0);
    expect(c.logins).toHaveLength(2);
  });

  it('logs in again shortly before the token expires, so no request meets a 401', async () => {
    let now = Date.UTC(2026, 10, 28, 12);
    const clockSim = await simulator({ now: () => now, tokenTtlSeconds: 100 });
    const c = connect(clockSim, {}, () => now);
    await c.client.fetchPage(legsQuery);
    now += 85_000;
    await c.client.fetchPage(legsQuery);
    expect(c.logins).toHaveLength(1);
    now += 10_000; // 95 s: inside the renewal margin (a tenth of the lifetime), still before expiry
    await c.client.fetchPage(legsQuery);
    expect(c.logins).toHaveLength(2);
    expect(clockSim.stats.responses[401] ?? 0).toBe(0);
  });

  it('sends the times in the requested zone: New York and UTC give the same rows', async () => {
    const c = connect(sim);
    const dstDay = Date.UTC(2026, 10, 1, 5); // 01:00 local on the day New York falls back
    const q = { ...legsQuery, startMs: dstDay, endMs: dstDay + 2 * HOUR, pageSize: 7000 };
    const utc = await c.client.fetchPage(q);
    const ny = await c.client.fetchPage({ ...q, timeZone: 'America/New_York' });
    expect(ny.data.map((r) => r.callId)).toEqual(utc.data.map((r) => r.callId));
    expect(ny.data[0]?.startTime).toMatch(/-0[45]00$/);
  });

  it.each([
    ['429 with Retry-After in seconds', { kind: '429', retryAfter: '2' } as const, 2000],
    ['a 503 with an HTML body', { kind: '5xx', status: 503 } as const, -1],
    ['a truncated 200 body', { kind: 'truncated' } as const, -1],
    ['a 200 of the wrong shape', { kind: 'json-shape' } as const, -1],
    ['a reset connection', { kind: 'reset' } as const, -1],
    ['an answer slower than the request timeout', { kind: 'delay', ms: 1300 } as const, -1],
  ])('retries %s and then succeeds', async (_name, fault, expectedDelay) => {
    const c = connect(sim);
    await c.tokens.token();
    let injected = 0;
    sim.faults.plan = () => (injected++ < 2 ? fault : undefined);
    const page = await c.client.fetchPage(legsQuery);
    expect(page.data.length).toBeGreaterThan(0);
    expect(c.retries).toHaveLength(2);
    if (expectedDelay >= 0) expect(c.sleeps).toEqual([expectedDelay, expectedDelay]);
  });

  it('retries 429 with Retry-After as an HTTP date, waiting exactly until that date', async () => {
    // The client's clock is frozen for this test: the wait is the date less the client's now, to the millisecond,
    // however long the exchange took on this machine. HTTP dates have whole seconds.
    const nowMs = Date.UTC(2026, 10, 28, 12, 0, 0, 250);
    const c = connect(sim, {}, () => nowMs);
    await c.tokens.token();
    let injected = 0;
    const retryAfter = new Date(nowMs + 60_000).toUTCString();
    sim.faults.plan = () => (injected++ < 2 ? { kind: '429', retryAfter } : undefined);
    const page = await c.client.fetchPage(legsQuery);
    expect(page.data.length).toBeGreaterThan(0);
    expect(c.retries).toHaveLength(2);
    expect(c.sleeps).toEqual([59_750, 59_750]);
  });

  it('gives up after the attempt limit with a retryable error', async () => {
    const c = connect(sim);
    sim.faults.plan = () => ({ kind: '5xx', status: 502 });
    const error = await c.client.fetchPage(legsQuery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(/answered 502 \(5 attempts/);
  });

  it('gives up at the deadline the caller passes', async () => {
    const c = connect(sim);
    await c.tokens.token();
    sim.faults.plan = () => ({ kind: 'delay', ms: 1500 });
    const error = await c.client
      .fetchPage(legsQuery, { deadlineMs: clock.now() + 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(/deadline/);
  });

  it('restarts nothing itself but names a refused scrollId', async () => {
    const c = connect(sim);
    const first = await c.client.fetchPage(legsQuery);
    sim.faults.plan = () => ({ kind: 'reject-scroll' });
    const error = await c.client
      .fetchPage({ ...legsQuery, scrollId: first.scrollId })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScrollRejectedError);
  });
});

describe('refusals that are not retried', () => {
  it.each([
    ['a bad API key', {}, { apiKey: 'wrong-key-123' }, InvalidApiKeyError, /SHA001/],
    ['a bad password', {}, { password: 'wrong-password' }, InvalidCredentialsError, /invalid_grant/],
    ['an unknown user', {}, { username: 'nobody@example.com' }, InvalidCredentialsError, /USER_NOTFOUND/],
    ['a user without Analytics', { analyticsAccess: false }, {}, NoAnalyticsAccessError, /105-400-038/],
  ])('%s', async (_name, simOptions: SimulatorOptions, creds, type, message) => {
    const sim = await simulator(simOptions);
    const c = connect(sim, creds);
    const error = await c.client.fetchPage(legsQuery).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toMatch(message);
    expect(c.retries).toHaveLength(0);
  });

  it('a PBX the user may not read (403)', async () => {
    const sim = await simulator({ deniedPbxIds: ['acme-eu'] });
    const error = await connect(sim)
      .client.fetchPage({ ...legsQuery, pbx: ['acme-eu'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PbxAccessDeniedError);
    expect((error as Error).message).toMatch(/acme-eu/);
  });

  it('a parameter the API refuses (400)', async () => {
    const sim = await simulator();
    const error = await connect(sim)
      .client.fetchPage({ ...legsQuery, pbx: ['no-such-pbx'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toMatch(/no-such-pbx/);
  });
});

describe('queries refused before sending', () => {
  const many = Array.from({ length: 126 }, (_, i) => String(1000 + i));
  it.each([
    ['isSimplified on call records', { table: 'call-records', isSimplified: true }, /call legs only/],
    ['isConnectTime on call records', { table: 'call-records', isConnectTime: false }, /call legs only/],
    ['pageSize 0', { pageSize: 0 }, /pageSize/],
    ['pageSize 7001', { pageSize: 7001 }, /pageSize/],
    ['126 callers', { caller: many }, /caller takes 1 to 125/],
    ['callerOrCallee with callee', { callee: ['1'], callerOrCallee: ['2'] }, /callerOrCallee/],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, /timeZone/],
    ['an empty interval', { endMs: legsQuery.startMs }, /before endTime/],
  ] as [string, Partial<PageQuery>, RegExp][])('%s', async (_name, change, message) => {
    const sim = await simulator();
    const c = connect(sim);
    const error = await c.client.fetchPage({ ...legsQuery, ...change }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidQueryError);
    expect((error as Error).message).toMatch(message);
    expect(sim.stats.logins + sim.stats.loginFailures).toBe(0);
  });
});

describe('secrets', () => {
  it('never puts the API key, the password or a token in an error message or a retry reason', async () => {
    const secret = { apiKey: 'key-Zq9-secret', password: 'pw-Xy7-secret' };
    const sim = await simulator(secret);
    const texts: string[] = [];
    const capture = (e: unknown) => texts.push(String((e as Error).message), String(e), JSON.stringify(e));
    // Refusals: bad key, bad password, and every fault kind.
    await connect(sim, { apiKey: 'key-Zq9-wrong' }).client.fetchPage(legsQuery).catch(capture);
    await connect(sim, { password: 'pw-Xy7-wrong' }).client.fetchPage(legsQuery).catch(capture);
    const c = connect(sim);
    for (const kind of ['429', '5xx', 'truncated', 'json-shape', 'reset', 'reject-scroll'] as const) {
      sim.faults.plan = () => ({ kind });
      await c.client.fetchPage({ ...legsQuery, scrollId: 'c3VwZXJ0ZW5hbnRjc21fMV8xXzE' }).catch(capture);
    }
    sim.faults.plan = undefined;
    sim.revokeTokens();
    await c.client.fetchPage(legsQuery).catch(capture);
    texts.push(...c.retries.map((r) => r.reason));
    const all = texts.join('\n');
    expect(texts.length).toBeGreaterThan(10);
    for (const s of [
      secret.apiKey,
      secret.password,
      'key-Zq9-wrong',
      'pw-Xy7-wrong',
      ...sim.stats.issuedTokens,
    ]) {
      expect(all).not.toContain(s);
    }
  });
});
