import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiRow, type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { getReport, login, type PageBody, walkChain } from './test-client.js';

const NOW = Date.UTC(2026, 5, 20, 12);
let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ now: () => NOW });
  token = await login(sim);
});
afterAll(() => sim.close());

const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const key = (r: Record<string, unknown>) => `${r.callId}/${r.legId ?? ''}`;
const decode = (scrollId: string) => Buffer.from(scrollId, 'base64url').toString('utf8');

/** A one-hour window ending on the whole second of some leg's disconnect, so that the end second holds a row. */
function edgeWindow(): { startMs: number; endMs: number } {
  const day = sim.truth({
    table: 'call-legs',
    fromMs: Date.UTC(2026, 5, 10, 14),
    toMs: Date.UTC(2026, 5, 10, 16),
    pbxIds: ['acmecorp'],
  });
  const edgeRow = day[Math.floor(day.length / 2)] as ApiRow;
  const endMs = Math.floor(edgeRow.disconnectedTimeUTC / 1000) * 1000;
  return { startMs: endMs - 3_600_000, endMs };
}

describe('a chain of pages', () => {
  it.each([1, 7, 100, 7000])(
    'walks to exactly the truth with pageSize %i: no gap, no duplicate',
    async (pageSize) => {
      const { startMs, endMs } = edgeWindow();
      const query = {
        pbxId: 'acmecorp',
        startTime: utc(startMs),
        endTime: utc(endMs),
        timeZone: 'UTC',
        pageSize: String(pageSize),
      };
      const pages = await walkChain(sim, '/v2/call-legs', query, token);
      const rows = pages.flatMap((p) => p.data);
      const total = rows.length;
      expect(pages.length).toBe(Math.ceil(total / pageSize) + 1);
      expect(pages.at(-1)).toEqual({ meta: { totalRecordCount: 0, scrollId: 'No Data' }, data: [] });
      for (const page of pages.slice(0, -1)) {
        expect(page.meta.totalRecordCount).toBe(total);
        const last = page.data.at(-1) ?? {};
        expect(page.meta.scrollId).not.toMatch(/[=+/]/);
        expect(decode(page.meta.scrollId)).toBe(
          `supertenantcsm_${last.callId}_${last.legId}_${last.startTimeUTC}`,
        );
      }
      expect(new Set(rows.map(key)).size).toBe(total);
      // The API includes the whole end second; the client trims it to get a half-open window.
      const edge = rows.filter((r) => (r.disconnectedTimeUTC as number) >= endMs);
      expect(edge.length).toBeGreaterThan(0);
      expect(edge.every((r) => (r.disconnectedTimeUTC as number) < endMs + 1000)).toBe(true);
      const trimmed = rows.filter((r) => (r.disconnectedTimeUTC as number) < endMs);
      expect(trimmed).toEqual(
        sim.truth({ table: 'call-legs', fromMs: startMs, toMs: endMs, pbxIds: ['acmecorp'] }),
      );
    },
  );

  it('sorts rows by filter time, then callId, then legId', async () => {
    const query = {
      pbxId: 'allpbxes',
      startTime: '2026-06-10 13:00:00',
      endTime: '2026-06-10 14:00:00',
      timeZone: 'UTC',
      pageSize: '7000',
    };
    const rows = (await walkChain(sim, '/v2/call-legs', query, token)).flatMap((p) => p.data);
    const sortKey = (r: Record<string, unknown>) =>
      [String(r.disconnectedTimeUTC).padStart(15, '0'), r.callId, String(r.legId).padStart(3, '0')].join('|');
    const keys = rows.map(sortKey);
    expect(keys).toEqual([...keys].sort());
  });

  it('answers the same page again when a scrollId is replayed', async () => {
    const query = {
      pbxId: 'allpbxes',
      startTime: '2026-06-10 09:00:00',
      endTime: '2026-06-10 10:00:00',
      timeZone: 'America/New_York',
      pageSize: '50',
    };
    const first = (await getReport(sim, '/v2/call-legs', query, token)).json as PageBody;
    const second = await getReport(sim, '/v2/call-legs', { ...query, scrollId: first.meta.scrollId }, token);
    const again = await getReport(sim, '/v2/call-legs', { ...query, scrollId: first.meta.scrollId }, token);
    expect(second.status).toBe(200);
    expect(again.text).toBe(second.text);
    expect((second.json as PageBody).data[0]).not.toEqual(first.data[0]);
  });

  it('pages call records by disconnect time with the records cursor format', async () => {
    const query = {
      pbxId: 'acmecorp,acmecorp2',
      startTime: '2026-06-10 14:00:00',
      endTime: '2026-06-10 15:59:59',
      timeZone: 'UTC',
      pageSize: '40',
    };
    const pages = await walkChain(sim, '/v2/call-records', query, token);
    const rows = pages.flatMap((p) => p.data);
    const last = pages[0]?.data.at(-1) ?? {};
    expect(decode(pages[0]?.meta.scrollId ?? '')).toBe(`supertenantcsm_${last.callId}_${last.startTimeUTC}`);
    const truth = sim.truth({
      table: 'call-records',
      fromMs: Date.UTC(2026, 5, 10, 14),
      toMs: Date.UTC(2026, 5, 10, 16),
      pbxIds: ['acmecorp', 'acmecorp2'],
    });
    expect(rows).toEqual(truth);
  });

  it('filters on connect time with isConnectTime=true and leaves out legs that never connected', async () => {
    const query = {
      pbxId: 'acmecorp',
      startTime: '2026-06-10 14:00:00',
      endTime: '2026-06-10 14:59:59',
      timeZone: 'UTC',
      pageSize: '500',
      isConnectTime: 'true',
    };
    const rows = (await walkChain(sim, '/v2/call-legs', query, token)).flatMap((p) => p.data);
    expect(rows.every((r) => (r.connectTimeUTC as number) >= Date.UTC(2026, 5, 10, 14))).toBe(true);
    const truth = sim.truth({
      table: 'call-legs',
      fromMs: Date.UTC(2026, 5, 10, 14),
      toMs: Date.UTC(2026, 5, 10, 15),
      pbxIds: ['acmecorp'],
      isConnectTime: true,
    });
    expect(rows).toEqual(truth);
    expect(truth.some((r) => r.connectTimeUTC === 0)).toBe(false);
  });

  it('drops child, forking and recording legs with isSimplified=true', async () => {
    const base = {
      pbxId: 'acmecorp',
      startTime: '2026-06-10 14:00:00',
      endTime: '2026-06-10 15:59:59',
      timeZone: 'UTC',
      pageSize: '7000',
    };
    const full = (await walkChain(sim, '/v2/call-legs', base, token)).flatMap((p) => p.data);
    const simple = (await walkChain(sim, '/v2/call-legs', { ...base, isSimplified: 'true' }, token)).flatMap(
      (p) => p.data,
    );
    const child = (r: Record<string, unknown>) =>
      r.parentCallId !== null || r.calleeSvcName === 'CallForking' || r.calleeSvcName === 'CallRecording';
    expect(full.some(child)).toBe(true);
    expect(simple).toEqual(full.filter((r) => !child(r)));
  });

  it('applies caller, callee and callerOrCallee as exact multi-value filters', async () => {
    const base = {
      pbxId: 'acmecorp',
      startTime: '2026-06-10 13:00:00',
      endTime: '2026-06-10 15:59:59',
      timeZone: 'UTC',
      pageSize: '7000',
    };
    const all = (await walkChain(sim, '/v2/call-legs', base, token)).flatMap((p) => p.data);
    const exts = [...new Set(all.map((r) => r.callee as string).filter((c) => /^\d{6}$/.test(c)))].slice(
      0,
      3,
    );
    const byCallee = (
      await walkChain(sim, '/v2/call-legs', { ...base, callee: exts.join(',') }, token)
    ).flatMap((p) => p.data);
    expect(byCallee).toEqual(all.filter((r) => exts.includes(r.callee as string)));
    const either = (
      await walkChain(sim, '/v2/call-legs', { ...base, callerOrCallee: exts.join(',') }, token)
    ).flatMap((p) => p.data);
    expect(either).toEqual(
      all.filter((r) => exts.includes(r.callee as string) || exts.includes(r.caller as string)),
    );
    const caller = all.find((r) => /^\d{6}$/.test(r.caller as string))?.caller as string;
    const byCaller = (await walkChain(sim, '/v2/call-legs', { ...base, caller }, token)).flatMap(
      (p) => p.data,
    );
    expect(byCaller.length).toBeGreaterThan(0);
    expect(byCaller).toEqual(all.filter((r) => r.caller === caller));
  });

  it('answers No Data at once for an empty result', async () => {
    const query = {
      pbxId: 'allpbxes',
      startTime: '2030-01-01 00:00:00',
      endTime: '2030-01-01 01:00:00',
      timeZone: 'UTC',
      pageSize: '100',
    };
    const pages = await walkChain(sim, '/v2/call-legs', query, token);
    expect(pages).toEqual([{ meta: { totalRecordCount: 0, scrollId: 'No Data' }, data: [] }]);
  });

  it.each([
    ['not base64', 'not base64!'],
    ['not a cursor', Buffer.from('hello world').toString('base64url')],
    ['an unknown call', Buffer.from('supertenantcsm_4930000099999_1_1').toString('base64url')],
    [
      'a records cursor on legs',
      Buffer.from('supertenantcsm_4930000000001_1781000000000').toString('base64url'),
    ],
    ['No Data', 'No Data'],
  ])('refuses a scrollId that is %s with a 400 naming scrollId', async (_name, scrollId) => {
    const query = {
      pbxId: 'allpbxes',
      startTime: '2026-06-10 09:00:00',
      endTime: '2026-06-10 10:00:00',
      timeZone: 'UTC',
      pageSize: '10',
      scrollId,
    };
    const res = await getReport(sim, '/v2/call-legs', query, token);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, code: '105-400-007', details: [{ path: ['scrollId'] }] });
  });
});
