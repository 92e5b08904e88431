import { afterAll, describe, expect, it } from 'vitest';
import {
  type ApiRow,
  BIG_INTEGER_FIELD,
  type CallRecordRow,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../functions/simulator/index.js';
import { getReport, login, type PageBody, walkChain } from './test-client.js';

// A Wednesday; 14:00-15:00 UTC is 10:00-11:00 in New York, a busy hour of the simulator.
const NOW = Date.UTC(2026, 5, 10, 20);
const FROM = Date.UTC(2026, 5, 10, 14);
const TO = Date.UTC(2026, 5, 10, 15);
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const query = (fromMs: number, toMs: number, pageSize = 7000) => ({
  pbxId: 'allpbxes',
  startTime: utc(fromMs),
  endTime: utc(toMs),
  timeZone: 'UTC',
  pageSize: String(pageSize),
});
const rowsOf = (pages: PageBody[]) => pages.flatMap((p) => p.data);

const started: Simulator[] = [];
async function simulator(options: SimulatorOptions): Promise<{ sim: Simulator; token: string }> {
  const sim = await startSimulator({ now: () => NOW, callsPerHour: 20, ...options });
  started.push(sim);
  return { sim, token: await login(sim) };
}
afterAll(() => Promise.all(started.map((sim) => sim.close())));

describe('which time a report filters on', () => {
  it('filters and sorts call records on startTimeUTC with recordsFilterField, and truth() follows', async () => {
    const { sim, token } = await simulator({ recordsFilterField: 'startTimeUTC' });
    const rows = rowsOf(await walkChain(sim, '/v2/call-records', query(FROM, TO, 50), token));
    const starts = rows.map((r) => Number(r.startTimeUTC));
    expect(starts.every((t) => t >= FROM && t < TO + 1000)).toBe(true);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // Calls that start in the hour and end after it: what a disconnect filter would not return.
    expect(rows.some((r) => Number(r.disconnectedTimeUTC) >= TO + 1000)).toBe(true);
    expect(rows).toEqual(sim.truth({ table: 'call-records', fromMs: FROM, toMs: TO + 1000 }));
  });

  it('filters call records on disconnectedTimeUTC by default', async () => {
    const { sim, token } = await simulator({});
    const rows = rowsOf(await walkChain(sim, '/v2/call-records', query(FROM, TO), token));
    expect(rows.every((r) => Number(r.disconnectedTimeUTC) < TO + 1000)).toBe(true);
    expect(rows.some((r) => Number(r.startTimeUTC) < FROM)).toBe(true);
  });

  it('filters call legs on connectTimeUTC with legsFilterField, leaving out legs that never connected', async () => {
    const { sim, token } = await simulator({ legsFilterField: 'connectTimeUTC' });
    const rows = rowsOf(await walkChain(sim, '/v2/call-legs', query(FROM, TO, 100), token));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => Number(r.connectTimeUTC) >= FROM && Number(r.connectTimeUTC) < TO + 1000)).toBe(
      true,
    );
    expect(rows.some((r) => Number(r.disconnectedTimeUTC) >= TO + 1000)).toBe(true);
    expect(rows).toEqual(sim.truth({ table: 'call-legs', fromMs: FROM, toMs: TO + 1000 }));
  });
});

describe('edges of the requested range', () => {
  /** A leg whose disconnect second is inside the hour, and the whole second it falls in. */
  async function edgeRow(sim: Simulator) {
    const legs = sim.truth({ table: 'call-legs', fromMs: FROM + 600_000, toMs: TO - 600_000 });
    const row = legs[Math.floor(legs.length / 2)] as ApiRow;
    return { row, second: Math.floor(row.disconnectedTimeUTC / 1000) * 1000 };
  }
  const has = (rows: Record<string, unknown>[], row: ApiRow) =>
    rows.some((r) => r.callId === row.callId && r.legId === (row as { legId: string }).legId);

  it.each([
    [{}, true, true],
    [{ startInclusive: false }, false, true],
    [{ endInclusive: false }, true, false],
    [{ startInclusive: false, endInclusive: false }, false, false],
  ] as const)('with %j returns the start second: %s, the end second: %s', async (options, start, end) => {
    const { sim, token } = await simulator(options);
    const { row, second } = await edgeRow(sim);
    const fromEdge = rowsOf(await walkChain(sim, '/v2/call-legs', query(second, second + 60_000), token));
    const toEdge = rowsOf(await walkChain(sim, '/v2/call-legs', query(second - 60_000, second), token));
    expect(has(fromEdge, row)).toBe(start);
    expect(has(toEdge, row)).toBe(end);
    // truth() stays half-open on the filter time: the request [a, b] answers truth [a or a + 1 s, b + 1 s or b).
    const rows = rowsOf(await walkChain(sim, '/v2/call-legs', query(FROM, second, 100), token));
    const fromMs = start ? FROM : FROM + 1000;
    const toMs = end ? second + 1000 : second;
    expect(rows).toEqual(sim.truth({ table: 'call-legs', fromMs, toMs }));
  });
});

describe('values the docs leave open', () => {
  it('gives wideValues.fraction of call records epoch milliseconds in answeredTime, abandonedTime and ringDuration', async () => {
    const { sim, token } = await simulator({ wideValues: { fraction: 0.5 } });
    const rows = rowsOf(await walkChain(sim, '/v2/call-records', query(FROM, TO), token));
    const wide = rows.filter((r) => Number(r.ringDuration) > 1e12);
    expect(wide.length / rows.length).toBeGreaterThan(0.35);
    expect(wide.length / rows.length).toBeLessThan(0.65);
    for (const r of wide) {
      expect(Number(r.ringDuration)).toBeGreaterThanOrEqual(Number(r.startTimeUTC));
      for (const field of ['answeredTime', 'abandonedTime'])
        expect(r[field] === 0 || Number(r[field]) > Number(r.startTimeUTC)).toBe(true);
    }
    expect(wide.some((r) => Number(r.answeredTime) > 1e12)).toBe(true);
    expect(wide.some((r) => Number(r.abandonedTime) > 1e12)).toBe(true);
    expect(rows.filter((r) => Number(r.ringDuration) < 1e12).length).toBeGreaterThan(0);
    expect(rows).toEqual(sim.truth({ table: 'call-records', fromMs: FROM, toMs: TO + 1000 }));
  });

  it('writes an undocumented integer beyond 2^53 with its exact digits, and truth() gives it as a bigint', async () => {
    const { sim, token } = await simulator({ bigDriftIntegers: true });
    for (const path of ['/v2/call-legs', '/v2/call-records'] as const) {
      const page = await getReport(sim, path, query(FROM, TO, 20), token);
      const digits = [...page.text.matchAll(new RegExp(`"${BIG_INTEGER_FIELD}":(\\d+)[,}]`, 'g'))].map(
        (m) => m[1],
      );
      expect(digits).toHaveLength(20);
      const table = path === '/v2/call-legs' ? 'call-legs' : 'call-records';
      const truth = sim.truth({ table, fromMs: FROM, toMs: TO + 1000 }).slice(0, 20);
      expect(truth.map((r) => String(r[BIG_INTEGER_FIELD]))).toEqual(digits);
      for (const r of truth) {
        const exact = r[BIG_INTEGER_FIELD] as bigint;
        expect(exact > 2n ** 53n).toBe(true);
        expect(BigInt(Number(exact))).not.toBe(exact);
      }
    }
  });

  it('serves nullCallIdFraction of rows with callId null, in both tables, and the chain still ends at the truth', async () => {
    const { sim, token } = await simulator({ nullCallIdFraction: 0.3 });
    for (const table of ['call-legs', 'call-records'] as const) {
      const rows = rowsOf(await walkChain(sim, `/v2/${table}`, query(FROM, TO, 7), token));
      const nulls = rows.filter((r) => r.callId === null).length;
      expect(nulls / rows.length).toBeGreaterThan(0.2);
      expect(nulls / rows.length).toBeLessThan(0.4);
      expect(rows).toEqual(sim.truth({ table, fromMs: FROM, toMs: TO + 1000 }));
    }
    // Records keep their other fields: a null callId is the only difference.
    const plain = await simulator({});
    const a = plain.sim.truth({ table: 'call-records', fromMs: FROM, toMs: TO }) as CallRecordRow[];
    const b = sim.truth({ table: 'call-records', fromMs: FROM, toMs: TO });
    expect(b.map((r, i) => (r.callId === null ? { ...r, callId: a[i]?.callId } : r))).toEqual(a);
  });
});

describe('cursor formats', () => {
  it.each([
    ['base64', /^[A-Za-z0-9_-]+$/],
    ['jwt', /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/],
    ['uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/],
    ['urlencoded', /^supertenantcsm%3A[0-9]+(%2F[0-9]+)+$/],
  ] as const)('hands out %s scrollIds that work when sent back, and replay', async (cursorFormat, shape) => {
    const { sim, token } = await simulator({ cursorFormat });
    for (const table of ['call-legs', 'call-records'] as const) {
      const pages = await walkChain(sim, `/v2/${table}`, query(FROM, TO, 25), token);
      const ids = pages.slice(0, -1).map((p) => p.meta.scrollId);
      expect(ids.length).toBeGreaterThan(2);
      for (const id of ids) expect(id).toMatch(shape);
      expect(rowsOf(pages)).toEqual(sim.truth({ table, fromMs: FROM, toMs: TO + 1000 }));
      const replay = await getReport(
        sim,
        `/v2/${table}`,
        { ...query(FROM, TO, 25), scrollId: ids[0] ?? '' },
        token,
      );
      expect((replay.json as PageBody).data).toEqual(pages[1]?.data);
      const forged = await getReport(
        sim,
        `/v2/${table}`,
        { ...query(FROM, TO, 25), scrollId: `x${ids[0]}` },
        token,
      );
      expect(forged.status).toBe(400);
    }
  });
});

describe('what a real scroll API might do to a chain', () => {
  it('serves only retentionDays of history, answering older ranges as No Data', async () => {
    const { sim, token } = await simulator({ retentionDays: 1 });
    const old = query(NOW - 2 * 86_400_000, NOW - 2 * 86_400_000 + 3_600_000);
    expect((await getReport(sim, '/v2/call-legs', old, token)).json).toEqual({
      meta: { totalRecordCount: 0, scrollId: 'No Data' },
      data: [],
    });
    expect(sim.truth({ table: 'call-legs', fromMs: FROM, toMs: TO }).length).toBeGreaterThan(0);
  });

  it('serves loneSurrogateFraction of rows with a caller name ending in a lone high surrogate, escaped in the JSON', async () => {
    const { sim, token } = await simulator({ loneSurrogateFraction: 0.5 });
    const answer = await getReport(sim, '/v2/call-legs', query(FROM, TO), token);
    expect(answer.text).toContain('\\ud83d"');
    const rows = (answer.json as PageBody).data;
    const cut = rows.filter((r) => String(r.callerName).endsWith(' \ud83d'));
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(rows.length);
    expect(rows).toEqual(sim.truth({ table: 'call-legs', fromMs: FROM, toMs: TO + 1000 }));
  });

  it('ingests ingestDelay.fraction of rows only after afterRequests answers, counted by later totals', async () => {
    const { sim, token } = await simulator({ ingestDelay: { fraction: 0.2, afterRequests: 1 } });
    const first = (await getReport(sim, '/v2/call-legs', query(FROM, TO, 5), token)).json as PageBody;
    const later = (await getReport(sim, '/v2/call-legs', query(FROM, TO, 5), token)).json as PageBody;
    expect(later.meta.totalRecordCount).toBeGreaterThan(first.meta.totalRecordCount);
    expect(sim.truth({ table: 'call-legs', fromMs: FROM, toMs: TO + 1000 })).toHaveLength(
      later.meta.totalRecordCount,
    );
  });

  it('serves at most servedPageSize rows a page without saying so, and the chain still ends at the truth', async () => {
    const { sim, token } = await simulator({ servedPageSize: 3 });
    const pages = await walkChain(sim, '/v2/call-legs', query(FROM, TO, 50), token);
    expect(Math.max(...pages.map((p) => p.data.length))).toBe(3);
    expect(rowsOf(pages)).toEqual(sim.truth({ table: 'call-legs', fromMs: FROM, toMs: TO + 1000 }));
  });

  it('serves the rows of the first and last second twice with duplicateEdgeRows, counting them once', async () => {
    const { sim, token } = await simulator({ duplicateEdgeRows: true, callsPerHour: 4000 });
    const pages = await walkChain(sim, '/v2/call-legs', query(FROM, TO, 7000), token);
    const rows = rowsOf(pages);
    const truth = sim.truth({ table: 'call-legs', fromMs: FROM, toMs: TO + 1000 });
    expect(pages[0]?.meta.totalRecordCount).toBe(truth.length);
    const edge = (r: ApiRow) =>
      Number(r.disconnectedTimeUTC) < FROM + 1000 || Number(r.disconnectedTimeUTC) >= TO;
    expect(rows.length - truth.length).toBe(truth.filter(edge).length);
    expect(truth.filter(edge).length).toBeGreaterThan(0);
  });
});
