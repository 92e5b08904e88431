import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Fault, type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { getReport, login, type PageBody } from './test-client.js';

let sim: Simulator;
let token: string;
let realRateClock: () => number;
beforeAll(async () => {
  sim = await startSimulator({ now: () => Date.UTC(2026, 5, 20) });
  token = await login(sim);
  realRateClock = sim.faults.rateClock;
});
afterEach(() => {
  Object.assign(sim.faults, {
    plan: undefined,
    latencyMs: 0,
    rateLimitPerSecond: undefined,
    errorRate5xx: 0,
    rate429: 0,
    truncatedRate: 0,
    rateClock: realRateClock,
  });
});
afterAll(() => sim.close());

const QUERY = {
  pbxId: 'acmecorp',
  startTime: '2026-06-10 14:00:00',
  endTime: '2026-06-10 15:00:00',
  timeZone: 'UTC',
  pageSize: '20',
};
const legs = (query: Record<string, string> = QUERY) => getReport(sim, '/v2/call-legs', query, token);
/** Plans `fault` for the next report request only (the plan's n counts report requests from 1). */
const once = (fault: Fault) => {
  const at = Object.values(sim.stats.reportRequests).reduce((a, b) => a + b, 0) + 1;
  sim.faults.plan = ({ n }) => (n === at ? fault : undefined);
};

describe('planned faults', () => {
  it('answers 429 with the planned Retry-After, seconds or an HTTP date', async () => {
    once({ kind: '429' });
    const plain = await legs();
    expect(plain.status).toBe(429);
    expect(plain.headers.get('retry-after')).toBe('1');
    const date = new Date(Date.UTC(2026, 5, 20, 0, 0, 2)).toUTCString();
    once({ kind: '429', retryAfter: date });
    expect((await legs()).headers.get('retry-after')).toBe(date);
    expect((await legs()).status).toBe(200);
  });

  it('answers 5xx with an HTML page like a load balancer', async () => {
    once({ kind: '5xx', status: 502 });
    const res = await legs();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(res.json).toBeUndefined();
    expect(res.text).toContain('502 Bad Gateway');
  });

  it('answers 200 with a body cut in the middle', async () => {
    const whole = await legs();
    once({ kind: 'truncated' });
    const cut = await legs();
    expect(cut.status).toBe(200);
    expect(cut.json).toBeUndefined();
    expect(whole.text.startsWith(cut.text)).toBe(true);
    expect(cut.text.length).toBeLessThan(whole.text.length);
  });

  it('resets the connection', async () => {
    once({ kind: 'reset' });
    await expect(legs()).rejects.toThrow();
    expect((await legs()).status).toBe(200);
  });

  it('delays the answer', async () => {
    once({ kind: 'delay', ms: 150 });
    const started = performance.now();
    expect((await legs()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('refuses a scrollId as if the cursor had expired, and the same request works afterwards', async () => {
    const first = (await legs()).json as PageBody;
    const next = { ...QUERY, scrollId: first.meta.scrollId };
    once({ kind: 'reject-scroll' });
    const refused = await legs(next);
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ status: 400, details: [{ path: ['scrollId'] }] });
    expect((await legs(next)).status).toBe(200);
  });

  it('answers 200 with valid JSON of the wrong shape', async () => {
    once({ kind: 'json-shape' });
    const res = await legs();
    expect(res.status).toBe(200);
    expect(res.json).toBeTypeOf('object');
    expect(res.json).not.toHaveProperty('data');
  });

  it('passes path, query and request number to the plan, and never applies it to the token endpoint', async () => {
    const seen: { path: string; n: number; pageSize?: string }[] = [];
    sim.faults.plan = (req) => {
      seen.push({ path: req.path, n: req.n, pageSize: req.query.pageSize });
      return { kind: '5xx' };
    };
    await login(sim);
    await getReport(sim, '/v2/call-records', QUERY, token);
    await legs();
    expect(seen.map((s) => s.path)).toEqual(['/v2/call-records', '/v2/call-legs']);
    expect(seen[1]?.n).toBe((seen[0]?.n ?? 0) + 1);
    expect(seen[0]?.pageSize).toBe('20');
  });
});

describe('probabilistic and standing faults', () => {
  it.each([
    ['errorRate5xx', { errorRate5xx: 1 }, 503, 'text/html'],
    ['rate429', { rate429: 1, retryAfterSeconds: 3 }, 429, 'application/json'],
    ['truncatedRate', { truncatedRate: 1 }, 200, 'application/json'],
  ])('%s = 1 fails every report request', async (name, faults, status, type) => {
    Object.assign(sim.faults, faults);
    for (let i = 0; i < 3; i++) {
      const res = await legs();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe(type);
      if (name === 'rate429') expect(res.headers.get('retry-after')).toBe('3');
      else expect(res.json).toBeUndefined();
    }
  });

  it('applies a 5xx rate roughly, from a seeded generator', async () => {
    sim.faults.errorRate5xx = 0.3;
    let failures = 0;
    for (let i = 0; i < 100; i++) if ((await legs()).status === 503) failures++;
    expect(failures).toBeGreaterThan(10);
    expect(failures).toBeLessThan(50);
  });

  it('answers 429 with Retry-After: 1 above rateLimitPerSecond', async () => {
    sim.faults.rateLimitPerSecond = 5;
    // The limit's clock is the test's: all 12 requests fall in one of its seconds, however slow the machine.
    let nowMs = 7_000;
    sim.faults.rateClock = () => nowMs;
    const statuses = await Promise.all(Array.from({ length: 12 }, () => legs().then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    // The next second lets 5 more through.
    nowMs += 1000;
    const next = await Promise.all(Array.from({ length: 6 }, () => legs().then((r) => r.status)));
    expect(next.filter((s) => s === 200)).toHaveLength(5);
  });

  it('adds latencyMs to every report answer', async () => {
    sim.faults.latencyMs = 100;
    const started = performance.now();
    await legs();
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });
});
