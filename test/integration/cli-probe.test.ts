import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawReport } from '../../functions/adapters/wa-raw.js';
import { createWorkAnalytics } from '../../functions/adapters/work-analytics.js';
import { describeProbe, runProbe } from '../../functions/cli/probe.js';
import type { ProbeDeps } from '../../functions/cli/probe-checks.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../functions/simulator/index.js';
import { TestClock } from '../support/clock.js';
import { walake } from './cli-support.js';

// A weekday afternoon in New York, so the simulator's last hour has calls whatever the hour of the test run.
const NOW = Date.parse('2026-11-25T19:30:00Z');

let sim: Simulator;
let slept: number[];
/**
 * The clock the simulator's rate limit counts its seconds on. The probe's sleeps advance it instead of waiting,
 * so which requests of a burst are throttled depends on the requests alone, never on the machine's speed.
 */
const rate = TestClock.manual(0);

/** The probe's ports on the simulator; its waits are recorded and advance the rate limit's clock, at once. */
async function deps(onSleep: (ms: number) => void = () => {}, on = sim, now = NOW): Promise<ProbeDeps> {
  const credentials = { apiKey: on.apiKey, username: on.username, password: on.password };
  const { client, tokens } = createWorkAnalytics({
    baseUrl: on.baseUrl,
    credentials,
    deps: { now: () => now, sleep: async () => {}, random: () => 0.5 },
  });
  const token = await tokens.token();
  return {
    request: (query, signal) => rawReport(query, { baseUrl: on.baseUrl, apiKey: on.apiKey, token, signal }),
    listPbxes: () => client.listPbxes(),
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      onSleep(ms);
      await rate.sleep(ms);
    },
    redact: (text) => text,
  };
}

beforeAll(async () => {
  sim = await startSimulator({
    rateLimitPerSecond: 5,
    rateClock: rate.now,
    now: () => NOW,
    callsPerHour: 30,
  });
});
afterAll(() => sim?.close());
afterEach(() => {
  sim.faults.plan = undefined;
});

describe('walake probe against the simulator', () => {
  it('measures pageSize, scrollId replay, how soon legs appear and what throttling looks like', async () => {
    slept = [];
    rate.set(Math.floor(rate.now() / 1000) * 1000 + 1000); // a fresh rate-limit second
    const report = await runProbe(await deps(), {
      baseUrl: sim.baseUrl,
      table: 'call-legs',
      burst: 20,
      quick: false,
    });
    expect(report.pageSize).toMatchObject({ max: 7000, tried: [{ pageSize: 7000, status: 200 }] });
    expect(report.scroll.measured).toBe(true);
    expect(report.scroll.replays).toEqual([
      { afterSeconds: 0, status: 200, samePage: true },
      { afterSeconds: 5, status: 200, samePage: true },
      { afterSeconds: 30, status: 200, samePage: true },
    ]);
    expect(report.scroll.note).toMatch(/can be replayed/);
    // The truth of the last hour: its newest leg is what the probe must find.
    const legs = sim.truth({ table: 'call-legs', fromMs: NOW - 3_600_000, toMs: NOW });
    const newest = Math.max(
      ...legs.map((leg) => Number((leg as { disconnectedTimeUTC: number }).disconnectedTimeUTC)),
    );
    expect(report.visibility).toMatchObject({
      legs: expect.any(Number),
      newestDisconnect: new Date(newest).toISOString(),
      lagSeconds: Math.round((NOW - newest) / 1000),
    });
    expect(report.burst?.requests).toBe(20);
    // The burst is sent at once, so it falls in one second of the limit's clock: at most 5 get through.
    expect(report.burst?.statuses['429']).toBeGreaterThanOrEqual(15);
    expect((report.burst?.statuses['200'] ?? 0) + (report.burst?.statuses['429'] ?? 0)).toBe(20);
    expect(report.burst?.retryAfter).toEqual(['1']);
    expect(report.burst?.sample429).toBeTruthy();
    expect(describeProbe(report)).toMatch(/throttling: 20 requests at once → .*× 429, Retry-After 1/);
  });

  it('finds the largest pageSize by binary search when 7000 is refused with a 400', async () => {
    slept = [];
    sim.faults.plan = (req) => (Number(req.query.pageSize) > 1234 ? { kind: 'reject-scroll' } : undefined);
    const report = await runProbe(await deps(), {
      baseUrl: sim.baseUrl,
      table: 'call-records',
      burst: 0,
      quick: true,
    });
    expect(report.pageSize.max).toBe(1234);
    expect(report.pageSize.tried[0]).toEqual({ pageSize: 7000, status: 400 });
    expect(report.pageSize.tried.length).toBeLessThanOrEqual(16);
    expect(report.pageSize.refusal).toMatch(/scrollId/);
    expect(report.burst).toBeNull();
    expect(describeProbe(report)).toMatch(/pageSize: largest accepted 1234/);
  });

  it('measures how many rows a page really holds, and says when the server clamps pageSize silently', async () => {
    slept = [];
    const clamped = await startSimulator({ now: () => NOW, callsPerHour: 30, servedPageSize: 50 });
    try {
      const report = await runProbe(await deps(() => {}, clamped), {
        baseUrl: clamped.baseUrl,
        table: 'call-legs',
        burst: 0,
        quick: true,
      });
      expect(report.pageSize).toMatchObject({ max: 7000, served: { asked: 7000, held: 50 } });
      expect(report.pageSize.served?.total).toBeGreaterThan(50);
      expect(describeProbe(report)).toMatch(
        /served page size: a page holds 50 rows although 7000 were asked .* clamps pageSize silently.*--page-size to 50/,
      );
    } finally {
      await clamped.close();
    }
    const plain = await runProbe(await deps(), {
      baseUrl: sim.baseUrl,
      table: 'call-legs',
      burst: 0,
      quick: true,
    });
    expect(describeProbe(plain)).toMatch(/served page size: (pages hold the 7000 rows asked|all \d+ rows)/);
  });

  it('reports how long a scrollId can be replayed, and --quick skips the waits', async () => {
    slept = [];
    let expired = false;
    sim.faults.plan = (req) => (expired && req.query.scrollId ? { kind: 'reject-scroll' } : undefined);
    const report = await runProbe(
      await deps((ms) => {
        if (ms >= 4000) expired = true;
      }),
      { baseUrl: sim.baseUrl, table: 'call-legs', burst: 0, quick: false },
    );
    expect(report.scroll.replays.map((r) => [r.afterSeconds, r.status, r.samePage])).toEqual([
      [0, 200, true],
      [5, 400, false],
      [30, 400, false],
    ]);
    expect(report.scroll.note).toBe("replaying page 1's scrollId failed after 5 s (status 400)");

    slept = [];
    sim.faults.plan = undefined;
    const quick = await runProbe(await deps(), {
      baseUrl: sim.baseUrl,
      table: 'call-legs',
      burst: 0,
      quick: true,
    });
    expect(quick.scroll.replays.map((r) => r.afterSeconds)).toEqual([0]);
    // Only throttling waits (Retry-After: 1 s) remain, no replay wait.
    expect(slept.filter((ms) => ms > 1000)).toEqual([]);
  });
});

describe('walake probe measures which time each report filters on, and its edges', () => {
  // A Wednesday, 14:30 in New York: the last quarter hour is busy in the simulator.
  const AT = Date.UTC(2026, 5, 10, 18, 30);
  const started: Simulator[] = [];
  afterAll(() => Promise.all(started.map((s) => s.close())));
  async function probeOn(options: SimulatorOptions) {
    const on = await startSimulator({ now: () => AT, callsPerHour: 30, ...options });
    started.push(on);
    const report = await runProbe(await deps(() => {}, on, AT), {
      baseUrl: on.baseUrl,
      table: 'call-legs',
      burst: 0,
      quick: true,
    });
    return { report, text: describeProbe(report), on };
  }

  it('finds the defaults: both reports on disconnectedTimeUTC, both edges inclusive, nothing to configure', async () => {
    const { report, text } = await probeOn({ deletedPbxIds: ['acme-old'] });
    for (const f of report.filters) {
      expect(f).toMatchObject({
        field: 'disconnectedTimeUTC',
        configure: null,
        startTime: { inclusive: true },
        endTime: { inclusive: true },
      });
      expect(f.rows).toBeGreaterThanOrEqual(10);
      expect(f.outside.disconnectedTimeUTC).toBe(0);
    }
    expect(report.filters[0]?.outside.startTimeUTC).toBeGreaterThan(0);
    expect(report.filters[1]?.outside.connectTimeUTC).toBeGreaterThan(0);
    expect(text).toMatch(/call-records filter field: disconnectedTimeUTC, the default; nothing to configure/);
    expect(text).toMatch(
      /call-legs edges: startTime inclusive to the second .*; endTime inclusive to the second/,
    );
    expect(report.pbxes).toEqual({ names: ['acme-eu', 'acmecorp', 'acmecorp2'], deleted: ['acme-old'] });
    expect(text).toMatch('PBXes: acme-eu, acmecorp, acmecorp2 (deleted: acme-old)');
  });

  it('says when call records filter on startTimeUTC, and prints the settings to change', async () => {
    const { report, text } = await probeOn({ recordsFilterField: 'startTimeUTC' });
    expect(report.filters[0]).toMatchObject({
      table: 'call-records',
      field: 'startTimeUTC',
      outside: { startTimeUTC: 0 },
      configure:
        'CDK context recordsFilterField=startTimeUTC, Lambda env RECORDS_FILTER_FIELD=startTimeUTC, walake run --records-filter-field startTimeUTC',
    });
    expect(report.filters[0]?.outside.disconnectedTimeUTC).toBeGreaterThan(0);
    expect(report.filters[1]).toMatchObject({ field: 'disconnectedTimeUTC', configure: null });
    expect(text).toMatch(
      /call-records filter field: startTimeUTC, not the default disconnectedTimeUTC .*; configure CDK context recordsFilterField=startTimeUTC, Lambda env RECORDS_FILTER_FIELD=startTimeUTC, walake run --records-filter-field startTimeUTC/,
    );
  });

  it('says when call legs filter on connectTimeUTC', async () => {
    const { report, text } = await probeOn({ legsFilterField: 'connectTimeUTC' });
    expect(report.filters[1]).toMatchObject({ field: 'connectTimeUTC' });
    expect(report.filters[1]?.configure).toMatch('LEGS_FILTER_FIELD=connectTimeUTC');
    expect(text).toMatch('walake run --legs-filter-field connectTimeUTC');
  });

  it.each([
    [{ startInclusive: false }, false, true, /startTime exclusive to the second \(left out a row/],
    [{ endInclusive: false }, true, false, /endTime exclusive to the second \(left out a row/],
  ] as const)('measures the edges with %j', async (options, start, end, line) => {
    const { report, text } = await probeOn(options);
    for (const f of report.filters) {
      expect([f.startTime.inclusive, f.endTime.inclusive]).toEqual([start, end]);
    }
    expect(text).toMatch(line);
  });

  it('measures through null callIds, integers beyond 2^53, epoch-ms durations and JWT scrollIds', async () => {
    const { report } = await probeOn({
      recordsFilterField: 'startTimeUTC',
      nullCallIdFraction: 0.3,
      bigDriftIntegers: true,
      wideValues: { fraction: 0.5 },
      cursorFormat: 'jwt',
    });
    expect(report.scroll.measured).toBe(true);
    expect(report.filters.map((f) => [f.field, f.startTime.inclusive, f.endTime.inclusive])).toEqual([
      ['startTimeUTC', true, true],
      ['disconnectedTimeUTC', true, true],
    ]);
  });

  it('says the evidence is inconclusive when there are no rows, in a bounded number of requests', async () => {
    const { report, text, on } = await probeOn({ callsPerHour: 0 });
    const before = on.stats.reportRequests;
    expect(report.filters.map((f) => f.field)).toEqual([null, null]);
    expect(report.filters[0]?.note).toBe(
      'inconclusive: no call records in 8 quarter hours over the last day',
    );
    expect(text).toMatch(
      /call-records filter field: inconclusive: .*; keep the default disconnectedTimeUTC until measured/,
    );
    expect(text).toMatch(/call-legs filter field: inconclusive/);
    expect(report.pageFill.map((f) => f.fullPagesUntilLast)).toEqual([null, null]);
    expect(text).toMatch(/call-legs pages: not measured: 0 rows in the 24 hours before the last 2/);
    // pageSize 1, scroll 1, visibility 1, 8 ranges of records, 1 of legs, 1 page-fill request per report.
    expect((before['/v2/call-records'] ?? 0) + (before['/v2/call-legs'] ?? 0)).toBeLessThanOrEqual(14);
  });
});

describe('walake probe from the built binary', () => {
  let live: Simulator;
  beforeAll(async () => {
    live = await startSimulator({ apiKey: 'probe-key-4242', password: 'probe-pass-1717' });
  });
  afterAll(() => live?.close());
  const env = () => ({
    WA_BASE_URL: live.baseUrl,
    WA_API_KEY: live.apiKey,
    WA_USERNAME: live.username,
    WA_PASSWORD: live.password,
  });

  it('prints a JSON report with exit code 0, and records the page finding in the lake named', async () => {
    const out = mkdtempSync(join(tmpdir(), 'walake-probe-'));
    const result = await walake(['probe', '--quick', '--burst', '3', '--json', '--out', out], env());
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'lake', '_manifest.json'), 'utf8'));
    rmSync(out, { recursive: true, force: true });
    expect(manifest).toMatchObject({
      gridMinutes: 60,
      api: { fullPagesUntilLast: { 'call-legs': true, 'call-records': true } },
    });
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      baseUrl: live.baseUrl,
      pageSize: { max: 7000 },
      pbxes: { names: ['acme-eu', 'acmecorp', 'acmecorp2'], deleted: [] },
      burst: { requests: 3 },
    });
    expect(report.filters.map((f: { table: string }) => f.table)).toEqual(['call-records', 'call-legs']);
    expect(report.recordedIn).toBe(out);
  });

  it('fails with exit code 1 on refused credentials, without echoing them', async () => {
    const result = await walake(['probe', '--quick'], { ...env(), WA_PASSWORD: 'wrong-pass-5555' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/username or password was refused/);
    for (const secret of ['probe-key-4242', 'wrong-pass-5555'])
      expect(result.stderr + result.stdout).not.toContain(secret);
  });
});
