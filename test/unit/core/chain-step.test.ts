import { describe, expect, it } from 'vitest';
import { NO_DATA, parseApiPage } from '../../../functions/core/api-page.js';
import {
  type ChainDone,
  chainStep,
  InvalidCursorError,
  RunawayChainError,
  StuckCursorError,
} from '../../../functions/core/chain-step.js';
import { reconcile } from '../../../functions/core/ledger.js';
import { type PageTask, pageCap, parsePageTask } from '../../../functions/core/page-task.js';

const START = Date.parse('2026-11-27T01:00:00Z');
const END = Date.parse('2026-11-27T02:00:00Z');
const NOW = Date.parse('2026-11-27T03:00:00Z');
const opts = { ingestedAtMs: NOW };

const task1: PageTask = {
  v: 2,
  table: 'call-legs',
  window: '20261127T0100Z-60m',
  pbx: 'allpbxes',
  attempt: 2,
  chain: 'k3x9q0w2m1zp',
  page: 1,
  rowsSoFar: 0,
  droppedSoFar: 0,
  beforeSoFar: 0,
  quarantinedSoFar: 0,
  mismatchedSoFar: 0,
  lane: 'live',
  isConnectTime: false,
  isSimplified: false,
  pageSize: 3,
};
const leg = (disconnectedTimeUTC: number, callId = String(disconnectedTimeUTC)) => ({
  callId,
  legId: '1',
  disconnectedTimeUTC,
  connectTimeUTC: disconnectedTimeUTC - 1000,
});

describe('chainStep', () => {
  it('stages the rows of a full page and hands on the next task with the cursor and the first total', () => {
    const page = {
      totalRecordCount: 7,
      scrollId: 'Y3Vyc29yMQ',
      data: [leg(START), leg(START + 1), leg(START + 2)],
    };
    const step = chainStep(task1, page, opts);
    expect(step.rows.map((r) => r.disconnected_time_utc)).toEqual([START, START + 1, START + 2]);
    expect(step.rows[0]).toMatchObject({ _attempt: 2, _window_start: '2026-11-27T01:00:00.000Z' });
    expect(step.dropped).toBe(0);
    expect(step.done).toBeUndefined();
    expect(step.next).toEqual({
      ...task1,
      page: 2,
      scrollId: 'Y3Vyc29yMQ',
      firstPageTotal: 7,
      rowsSoFar: 3,
      droppedSoFar: 0,
    });
  });

  it('keeps the first page total on later pages, whatever they announce', () => {
    const task = { ...task1, page: 2, scrollId: 'Y3Vyc29yMQ', firstPageTotal: 7, rowsSoFar: 3 };
    const page = { totalRecordCount: 99, scrollId: 'Y3Vyc29yMg', data: [leg(START + 3)] };
    expect(chainStep(task, page, opts).next).toMatchObject({ page: 3, firstPageTotal: 7, rowsSoFar: 4 });
  });

  it.each([
    ['on No Data with an empty page', NO_DATA, 0, 2],
    ['on an empty page whatever the cursor', 'Y3Vyc29yMw', 0, 2],
    ['on No Data with a last page of rows', NO_DATA, 2, 3],
  ])('ends %s', (_name, scrollId, rows, pages) => {
    const task = {
      ...task1,
      page: 3,
      scrollId: 'Y3Vyc29yMg',
      firstPageTotal: 8,
      rowsSoFar: 5,
      droppedSoFar: 1,
    };
    const data = Array.from({ length: rows }, (_, i) => leg(START + 10 + i));
    const step = chainStep(task, { totalRecordCount: 0, scrollId, data }, opts);
    expect(step.next).toBeUndefined();
    expect(step.rows).toHaveLength(rows);
    expect(step.done).toEqual({
      pages,
      rows: 5 + rows,
      dropped: 1,
      before: 0,
      quarantined: 0,
      mismatched: 0,
      firstPageTotal: 8,
    });
  });

  it('ends an empty window on its first answer', () => {
    const step = chainStep(task1, { totalRecordCount: 0, scrollId: NO_DATA, data: [] }, opts);
    expect(step.done).toEqual({
      pages: 0,
      rows: 0,
      dropped: 0,
      before: 0,
      quarantined: 0,
      mismatched: 0,
      firstPageTotal: 0,
    });
  });

  it('drops the rows at the window edges (the second before it, the end second the API also returns) and counts them', () => {
    const data = [leg(START - 1), leg(START), leg(END - 1), leg(END), leg(END + 999)];
    const step = chainStep({ ...task1, pageSize: 5 }, { totalRecordCount: 5, scrollId: NO_DATA, data }, opts);
    expect(step.rows.map((r) => r.disconnected_time_utc)).toEqual([START, END - 1]);
    expect(step.dropped).toBe(3);
    expect(step.before).toBe(1);
    expect(step.quarantine).toEqual([]);
    expect(step.done).toMatchObject({ rows: 2, dropped: 3, before: 1, quarantined: 0 });
  });

  it('quarantines the rows beyond the edge seconds, as the API sent them, and carries the counts on', () => {
    const early = leg(START - 1001);
    const late = leg(END + 1000);
    const data = [early, leg(START - 1000), leg(START), late];
    const step = chainStep(
      { ...task1, pageSize: 4 },
      { totalRecordCount: 9, scrollId: 'Y3Vyc29yMQ', data },
      opts,
    );
    expect(step.rows.map((r) => r.disconnected_time_utc)).toEqual([START]);
    expect(step.quarantine).toEqual([early, late]);
    expect(step).toMatchObject({ dropped: 1, before: 1 });
    expect(step.next).toMatchObject({ rowsSoFar: 1, droppedSoFar: 1, beforeSoFar: 1, quarantinedSoFar: 2 });
  });

  it('filters legs on the connect time when the chain asks for it', () => {
    const data = [{ ...leg(END + 10), connectTimeUTC: END - 10 }];
    const task = { ...task1, isConnectTime: true };
    expect(chainStep(task, { totalRecordCount: 1, scrollId: NO_DATA, data }, opts).rows).toHaveLength(1);
  });

  it('stops a runaway chain past its page cap', () => {
    // 7 rows in pages of 3: 3 pages, cap 3 + 2 + 1 = 6.
    const task = { ...task1, page: 5, scrollId: 'Y3Vyc29yNQ', firstPageTotal: 7, rowsSoFar: 12 };
    const page = { totalRecordCount: 7, scrollId: 'Y3Vyc29yNg', data: [leg(START)] };
    expect(chainStep(task, page, opts).next?.page).toBe(6);
    const call = () => chainStep({ ...task, page: 6 }, { ...page, scrollId: 'Y3Vyc29yNw' }, opts);
    expect(call).toThrow(RunawayChainError);
    expect(call).toThrow(/needs page 7, but the API counted 7 rows \(6 pages of 3 at most\)/);
  });

  it('refuses a cursor that does not advance', () => {
    const task = { ...task1, page: 2, scrollId: 'Y3Vyc29yMQ', firstPageTotal: 7, rowsSoFar: 3 };
    const call = () =>
      chainStep(task, { totalRecordCount: 7, scrollId: 'Y3Vyc29yMQ', data: [leg(START)] }, opts);
    expect(call).toThrow(StuckCursorError);
    expect(call).toThrow(/returned the scrollId it was sent/);
  });

  it('accepts a cursor that is not base64 (the cursor is opaque printable text)', () => {
    const step = chainStep(task1, { totalRecordCount: 7, scrollId: 'not base64!', data: [leg(START)] }, opts);
    expect(step.next?.scrollId).toBe('not base64!');
  });

  it('refuses a cursor that cannot travel in a task (a control character)', () => {
    const call = () =>
      chainStep(task1, { totalRecordCount: 7, scrollId: 'bad\ncursor', data: [leg(START)] }, opts);
    expect(call).toThrow(InvalidCursorError);
    expect(call).toThrow(/scrollId: must be printable text/);
  });

  it('names undocumented fields once per page', () => {
    const data = [
      { ...leg(START), queueName: 'a' },
      { ...leg(START + 1), queueName: 'b', score: 1 },
    ];
    const step = chainStep(task1, { totalRecordCount: 2, scrollId: NO_DATA, data }, opts);
    expect(step.driftFields).toEqual(['queueName', 'score']);
    expect(step.rows[1]?.extra).toBe('{"queueName":"b","score":1}');
  });

  it('keeps the rows whose values do not fit their columns and counts them as type mismatches', () => {
    const data = [
      { ...leg(START), talkTimeMS: 'long' },
      leg(START + 1),
      { ...leg(START + 2), talkTimeMS: '12s', callTime: { s: 1 } },
    ];
    const step = chainStep(task1, { totalRecordCount: 3, scrollId: NO_DATA, data }, opts);
    expect(step.rows).toHaveLength(3);
    expect(step.typeMismatches).toEqual(['talkTimeMS', 'callTime']);
    expect(step.typeMismatchRows).toBe(2);
    expect(step.rows[2]).toMatchObject({
      talk_time_ms: null,
      extra: '{"talkTimeMS":"12s","callTime":{"s":1}}',
    });
    expect(step.done).toMatchObject({ rows: 3 });
  });

  it('counts no type mismatch on a page of fitting rows', () => {
    const step = chainStep(task1, { totalRecordCount: 1, scrollId: NO_DATA, data: [leg(START)] }, opts);
    expect(step).toMatchObject({ typeMismatches: [], typeMismatchRows: 0 });
  });

  it('quarantines a row without a filter time instead of failing the page', () => {
    const bad = { ...leg(START), disconnectedTimeUTC: 'late' };
    const data = [bad, leg(START + 1)];
    const step = chainStep(task1, { totalRecordCount: 2, scrollId: NO_DATA, data }, opts);
    expect(step.rows.map((r) => r.disconnected_time_utc)).toEqual([START + 1]);
    expect(step.quarantine).toEqual([bad]);
    expect(step.done).toMatchObject({ rows: 1, quarantined: 1 });
  });

  it('walks a whole chain to totals that reconcile with the first page', () => {
    const rows = [leg(START), leg(START + 5), leg(END - 1), leg(END), leg(END + 500)];
    const pages = [rows.slice(0, 3), rows.slice(3), []];
    let task: PageTask | undefined = task1;
    let staged = 0;
    for (const [i, data] of pages.entries()) {
      if (!task) break;
      const scrollId = data.length ? `Y3Vyc29y${i}` : NO_DATA;
      const step = chainStep(task, { totalRecordCount: i === 0 ? 5 : 0, scrollId, data }, opts);
      staged += step.rows.length;
      if (step.done) {
        expect(step.done).toEqual({
          pages: 2,
          rows: 3,
          dropped: 2,
          before: 0,
          quarantined: 0,
          mismatched: 0,
          firstPageTotal: 5,
        });
        const { rows: received, dropped: droppedAtEdges, firstPageTotal: apiTotal } = step.done;
        expect(reconcile({ received, droppedAtEdges, apiTotal }).verdict).toBe('match');
      }
      task = step.next;
    }
    expect(task).toBeUndefined();
    expect(staged).toBe(3);
  });
});

describe('pageCap', () => {
  it.each([
    [0, 7000, 2],
    [81, 50, 5],
    [7000, 7000, 4],
    [70_000, 7000, 13],
    [1_000_000, 1, 10_000],
  ])('allows %i rows in pages of %i at most %i pages', (total, size, cap) => {
    expect(pageCap(total, size)).toBe(cap);
  });
});

describe('parseApiPage', () => {
  it('flattens the documented response', () => {
    const body = { meta: { totalRecordCount: 0, scrollId: 'No Data' }, data: [] };
    expect(parseApiPage(body)).toEqual({ totalRecordCount: 0, scrollId: 'No Data', data: [] });
  });

  it.each([
    ['no meta', { data: [] }, /meta/],
    ['a text total', { meta: { totalRecordCount: '2', scrollId: 'x' }, data: [] }, /meta.totalRecordCount/],
    ['no data', { meta: { totalRecordCount: 2, scrollId: 'x' } }, /data/],
  ])('refuses a body with %s', (_name, body, error) => {
    expect(() => parseApiPage(body)).toThrow(error);
  });
});

describe('chainStep: totals that move, and pages smaller than asked', () => {
  const page = (total: number, n: number, scrollId = 'Y3Vyc29yMQ') => ({
    totalRecordCount: total,
    scrollId,
    data: Array.from({ length: n }, (_, i) => leg(START + i)),
  });

  it('carries a later total that differs from the first page’s to the chain’s totals', () => {
    const first = chainStep(task1, page(7, 3), opts).next as PageTask;
    expect(first).not.toHaveProperty('lastTotal');
    const second = chainStep(first, page(8, 3, 'Y3Vyc29yMg'), opts).next as PageTask;
    expect(second).toMatchObject({ firstPageTotal: 7, lastTotal: 8 });
    const done = chainStep(second, { totalRecordCount: 0, scrollId: NO_DATA, data: [] }, opts).done;
    expect(done).toMatchObject({ firstPageTotal: 7, lastTotal: 8 });
  });

  it('reads no total from a page with rows that says 0', () => {
    const first = chainStep(task1, page(7, 3), opts).next as PageTask;
    expect(chainStep(first, page(0, 3, 'Y3Vyc29yMg'), opts).next).not.toHaveProperty('lastTotal');
  });

  it('follows the page size the server really serves in the page cap', () => {
    const asked = { ...task1, pageSize: 7000 };
    // 7000 rows served 1000 a page: 7 pages, where pages of 7000 would have allowed 1 + 2 + 1 = 4.
    let task = chainStep(asked, page(7000, 1000), opts).next as PageTask;
    expect(task).toMatchObject({ pageRows: 1000 });
    for (let n = 2; n <= 7; n++)
      task = chainStep(task, page(7000, 1000, `Y3Vyc29y${n}`), opts).next as PageTask;
    expect(task.page).toBe(8);
    expect(parsePageTask(task)).toMatchObject({ ok: true });
  });
});

describe('chainStep: edge rows served twice', () => {
  it('counts a dropped edge row once, as the API total does, and keeps rows without an identity apart', () => {
    const edge = leg(END + 10);
    const before = leg(START - 10);
    const anonymous = { ...leg(END + 20), callId: null };
    const data = [before, before, leg(START), edge, edge, anonymous, anonymous];
    const step = chainStep(task1, { totalRecordCount: 5, scrollId: NO_DATA, data }, opts);
    expect(step.done).toMatchObject({ rows: 1, dropped: 4, before: 1 });
    const { rows: received, dropped: droppedAtEdges, firstPageTotal: apiTotal } = step.done as ChainDone;
    expect(reconcile({ received, droppedAtEdges, apiTotal }).verdict).toBe('match');
  });
});
