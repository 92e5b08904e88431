import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ApiPage, NO_DATA } from '../../../functions/core/api-page.js';
import { lakeKey, ledgerKey } from '../../../functions/core/lake-keys.js';
import { readLedgerEntry } from '../../../functions/core/ledger-store.js';
import { tallyOf } from '../../../functions/core/outcome-tally.js';
import type { PageQuery } from '../../../functions/core/page-query.js';
import type { PageTask } from '../../../functions/core/page-task.js';
import {
  failWindow,
  HEARTBEAT_MS,
  PublishDeferredError,
  processTask,
  startChain,
  type TaskOutcome,
} from '../../../functions/core/process-task.js';
import { parseWindowId } from '../../../functions/core/windows.js';
import { MemoryStore } from '../../support/memory-store.js';

const WINDOW = '20261127T0100Z-60m';
const W = parseWindowId(WINDOW);
const KEY = ledgerKey('call-legs', W);
const START = { table: 'call-legs' as const, window: WINDOW, pbx: 'allpbxes' as const, pageSize: 2 };
const LEGS = { isConnectTime: false, isSimplified: false };

/** A report of `rows` legs in the window, two a page, with cursors `c1`, `c2`…; it counts its requests. */
function source(rows: number) {
  const data = Array.from({ length: rows }, (_, i) => ({
    legId: `leg-${i}`,
    callId: `call-${i}`,
    disconnectedTimeUTC: W.startMs + 60_000 * (i + 1),
  }));
  const counter = { requests: 0, rejectCursors: false };
  return {
    counter,
    fetchPage: async (query: PageQuery): Promise<ApiPage> => {
      counter.requests++;
      if (counter.rejectCursors && query.scrollId) {
        // As the client marks a refused cursor (see ports.ts).
        throw Object.assign(new Error('scrollId expired'), { cursorRejected: true });
      }
      const from = query.scrollId ? Number(query.scrollId.slice(1)) : 0;
      const page = data.slice(from, from + 2);
      return {
        totalRecordCount: rows,
        scrollId: page.length === 0 ? NO_DATA : `c${from + 2}`,
        data: page,
      };
    },
  };
}

/** Prepare: a store, a queue, a clock and a source; start one chain of the window. */
async function prepare(rows = 5, nowMs = W.endMs + 3_600_000) {
  const store = new MemoryStore();
  const sent: PageTask[] = [];
  const clock = {
    now: () => nowMs,
    set(ms: number) {
      nowMs = ms;
    },
  };
  const api = source(rows);
  const ports = { source: api, store, queue: { send: async (t: PageTask) => void sent.push(t) }, clock };
  const first = (await startChain({ ...START, ...LEGS }, ports)) as PageTask;
  return { store, sent, clock, api, ports, first };
}

const options = { settleMinutes: 60, removeStaging: false };

/** Act: runs a chain from `task` to its end, one task at a time, as the queue would. */
async function runChain(
  task: PageTask,
  ports: Awaited<ReturnType<typeof prepare>>['ports'],
  sent: PageTask[],
) {
  let outcome: TaskOutcome = await processTask(task, ports, options);
  while (outcome.kind === 'next') outcome = await processTask(sent.at(-1) as PageTask, ports, options);
  return outcome;
}

describe('processTask', () => {
  it('records progress in the ledger at most once a minute', async () => {
    const { store, sent, clock, ports, first } = await prepare();
    clock.set(Date.parse((await readLedgerEntry(store, KEY))?.startedAt ?? '') + HEARTBEAT_MS);
    await processTask(first, ports, options);
    const beat = await readLedgerEntry(store, KEY);
    expect(beat?.heartbeatAt).toBe(new Date(clock.now()).toISOString());
    const version = (await store.getVersioned(KEY))?.version;
    clock.set(clock.now() + HEARTBEAT_MS - 1);
    await processTask(sent.at(-1) as PageTask, ports, options);
    expect((await store.getVersioned(KEY))?.version).toBe(version);
  });

  it('fetches and writes nothing for a chain a newer one superseded', async () => {
    const { store, api, ports, first } = await prepare();
    await startChain({ ...START, ...LEGS }, ports);
    const keys = await store.list('');
    expect(await processTask(first, ports, options)).toMatchObject({ kind: 'superseded' });
    expect(api.counter.requests).toBe(0);
    expect(await store.list('')).toEqual(keys);
  });

  it('does not send a replayed next task again when its page already ran', async () => {
    const { sent, ports, first } = await prepare();
    await processTask(first, ports, options);
    await processTask(sent.at(-1) as PageTask, ports, options);
    const before = sent.length;
    // The first task comes back (a redelivery 12 minutes later, past the FIFO deduplication window).
    expect(await processTask(first, ports, options)).toMatchObject({ kind: 'next', replayed: true });
    expect(sent).toHaveLength(before);
  });

  it('counts a window once when its last page is delivered again after the publish', async () => {
    const { sent, ports, first } = await prepare(3);
    const outcome = await runChain(first, ports, sent);
    expect(outcome).toMatchObject({ kind: 'published', entry: { rows: 3 } });
    expect(tallyOf(outcome).windowsPublished).toBe(1);
    // The same last task again (a second poller got it while the first was still publishing).
    const again = await processTask(sent.at(-1) as PageTask, ports, options);
    expect(again).toMatchObject({ kind: 'published', alreadyPublished: true, entry: { rows: 3 } });
    expect(tallyOf(again)).toMatchObject({
      windowsPublished: 0,
      reconciliationMismatches: 0,
      pagesFetched: 0,
    });
  });

  it('defers publishing when the invocation has too little time left, then publishes on the redelivery', async () => {
    const { store, sent, clock, ports, first } = await prepare(3);
    await processTask(first, ports, options);
    const second = sent.at(-1) as PageTask;
    await processTask(second, ports, options);
    const last = sent.at(-1) as PageTask;
    const hurried = { ...options, deadlineMs: clock.now() + 1000 };
    await expect(processTask(last, ports, hurried)).rejects.toBeInstanceOf(PublishDeferredError);
    expect(await store.get(lakeKey('call-legs', W))).toBeUndefined();
    const again = await processTask(last, ports, { ...options, deadlineMs: clock.now() + 60_000 });
    expect(again).toMatchObject({ kind: 'published', replayed: true, entry: { rows: 3 } });
  });

  it('fails the window of the current chain only, and a redriven task of it resumes and publishes', async () => {
    const { store, sent, ports, first } = await prepare(3);
    await processTask(first, ports, options);
    const stranded = sent.at(-1) as PageTask;
    const stale = { ...stranded, chain: 'otherchain1' };
    expect(await failWindow(stale, 'not mine', ports)).toBeUndefined();
    const failed = await failWindow(stranded, 'the API answered 503 five times', ports);
    expect(failed).toMatchObject({
      status: 'failed',
      failures: 1,
      reason: 'the API answered 503 five times',
    });
    const outcome = await runChain(stranded, ports, sent);
    expect(outcome).toMatchObject({
      kind: 'published',
      entry: { status: 'published', failures: 0, rows: 3 },
    });
    const lines = gunzipSync((await store.get(lakeKey('call-legs', W))) as Uint8Array)
      .toString()
      .trim()
      .split('\n');
    expect(lines).toHaveLength(3);
  });

  it('restarts the window as a new chain when the cursor is refused, and fails it at the restart cap', async () => {
    const { store, sent, api, ports, first } = await prepare(5);
    api.counter.rejectCursors = true;
    const capped = { ...options, maxRestarts: 2 };
    await processTask(first, ports, capped);
    const outcomes: TaskOutcome[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(await processTask(sent.at(-1) as PageTask, ports, capped));
      if (outcomes.at(-1)?.kind === 'restarted') await processTask(sent.at(-1) as PageTask, ports, capped);
    }
    expect(outcomes.map((o) => o.kind)).toEqual(['restarted', 'restarted', 'failed']);
    const entry = await readLedgerEntry(store, KEY);
    expect(entry).toMatchObject({ status: 'failed', attempt: 3, restarts: 2, failures: 1 });
    expect(entry?.status === 'failed' && entry.reason).toMatch(/refused the cursor of 3 chains/);
    // Each restart ran on a chain of its own.
    expect(new Set(sent.map((t) => t.chain)).size).toBe(3);
  });
});
