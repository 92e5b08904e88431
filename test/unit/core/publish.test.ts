import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../functions/adapters/fs-store.js';
import type { ChainDone } from '../../../functions/core/chain-step.js';
import { lakeKey, ledgerKey, MANIFEST_KEY, stagingKey } from '../../../functions/core/lake-keys.js';
import { decodeLines, encodeLines, lineRanges, rowIdentity } from '../../../functions/core/lake-lines.js';
import {
  failedEntry,
  type LedgerEntry,
  publishedEntry,
  runningEntry,
} from '../../../functions/core/ledger.js';
import { readLedgerEntry } from '../../../functions/core/ledger-store.js';
import { LakeManifestError } from '../../../functions/core/manifest.js';
import { firstPageTask, type PageTask, taskWindow } from '../../../functions/core/page-task.js';
import {
  MissingStagedPageError,
  PUBLISH_LEASE_MS,
  PublishWaitError,
  publishWindow,
} from '../../../functions/core/publish.js';
import type { LakeRow } from '../../../functions/core/record-schema.js';
import type { Table } from '../../../functions/core/tables.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
function store() {
  const root = mkdtempSync(join(tmpdir(), 'walake-publish-'));
  roots.push(root);
  return { root, store: new FileObjectStore(root) };
}

const clock = { now: () => Date.UTC(2026, 10, 27, 5) };
const options = { settleMinutes: 60, removeStaging: true };
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString();
const CHAIN = 'k3x9q0w2m1zp';
function task(attempt: number, chain = CHAIN): PageTask {
  return firstPageTask({
    table: 'call-legs',
    window: '20261127T0100Z-60m',
    pbx: 'allpbxes',
    attempt,
    chain,
    pageSize: 2,
    isConnectTime: false,
    isSimplified: false,
  });
}
const leg = (callId: string | null, legId: string | null, name = 'x'): LakeRow => ({
  call_id: callId,
  leg_id: legId,
  caller_name: name,
});

/** The totals of a finished chain, nothing at the edges unless said. */
const done = (pages: number, rows: number, dropped: number, firstPageTotal: number): ChainDone => ({
  pages,
  rows,
  dropped,
  before: 0,
  quarantined: 0,
  mismatched: 0,
  firstPageTotal,
});

async function stage(s: FileObjectStore, t: PageTask, pages: LakeRow[][]) {
  for (const [i, rows] of pages.entries()) {
    await s.put(stagingKey(t.table, taskWindow(t), t.chain, i + 1), encodeLines(rows));
  }
}

/** The running entry that names the chain of `t` (or `change`'s) as the window's current one. */
function running(t: PageTask, change: Partial<Parameters<typeof runningEntry>[0]> = {}): LedgerEntry {
  const base = { table: t.table, window: taskWindow(t), pbx: t.pbx, attempt: t.attempt, chain: t.chain };
  return runningEntry({ ...base, ...change }, clock.now() - 1000);
}

async function record(s: FileObjectStore, t: PageTask, entry: LedgerEntry = running(t)) {
  await s.put(ledgerKey(t.table, taskWindow(t)), JSON.stringify(entry));
}

describe('the identity of a lake line', () => {
  it.each<[Table, string, string | undefined]>([
    ['call-legs', '{"call_id":"12","leg_id":"3","x":1}', '"12"\u0000"3"'],
    ['call-records', '{"call_id":"12","x":1}', '"12"'],
    ['call-records', '{"x":1,"call_id":12}', '12'],
    ['call-legs', '{"caller_name":"\\"call_id\\":\\"9\\"","call_id":"12","leg_id":"3"}', '"12"\u0000"3"'],
    ['call-legs', '{"call_id":null,"leg_id":"3"}', undefined],
    ['call-legs', '{"call_id":"12","leg_id":null}', undefined],
    ['call-legs', '{"leg_id":"3","call_id":null}', undefined],
    ['call-legs', '{"call_id":"12"}', undefined],
    ['call-records', '{"call_id":null,"x":1}', undefined],
    ['call-records', '{"call_id":"","x":1}', undefined],
    ['call-records', '{"x":1}', undefined],
  ])('of a %s line %s is %j', (table, line, expected) => {
    expect(rowIdentity(table, line)).toBe(expected);
    const bytes = Buffer.from(`${line}\n${line}`);
    expect([...lineRanges(table, bytes)].map((r) => r.identity)).toEqual([expected, expected]);
  });
});

describe('publishWindow', () => {
  it('streams the staged pages into one lake object and writes a published ledger entry', async () => {
    const { store: s } = store();
    const t = task(1);
    await record(s, t);
    await stage(s, t, [[leg('1', '1'), leg('1', '2')], [leg('2', '1', 'Zoë "Z", 東京\nline')]]);
    const result = await publishWindow(t, done(2, 3, 1, 4), { store: s, clock }, options);
    expect(result.kind).toBe('published');
    const body = await s.get(lakeKey(t.table, taskWindow(t)));
    const lines = decodeLines(body ?? new Uint8Array());
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      leg('1', '1'),
      leg('1', '2'),
      leg('2', '1', 'Zoë "Z", 東京\nline'),
    ]);
    const entry = await readLedgerEntry(s, ledgerKey(t.table, taskWindow(t)));
    expect(entry).toMatchObject({
      status: 'published',
      attempt: 1,
      chain: CHAIN,
      rows: 3,
      pages: 2,
      reconciliation: { verdict: 'match' },
    });
    expect(entry).not.toHaveProperty('publishing');
    expect(await s.list('staging/')).toEqual([]);
    expect(JSON.parse(text(await s.get(MANIFEST_KEY)))).toMatchObject({ gridMinutes: 60 });
  });

  it('keeps the first copy of a row that two pages both carry', async () => {
    const { store: s } = store();
    const t = task(1);
    await record(s, t);
    await stage(s, t, [
      [leg('1', '1'), leg('1', '2')],
      [leg('1', '2'), leg('3', '1')],
    ]);
    const result = await publishWindow(t, done(2, 4, 0, 3), { store: s, clock }, options);
    expect(result).toMatchObject({ kind: 'published', duplicates: 1, unidentified: 0, entry: { rows: 3 } });
    const lines = decodeLines((await s.get(lakeKey(t.table, taskWindow(t)))) ?? new Uint8Array());
    expect(lines).toHaveLength(3);
  });

  it('keeps every row without an identity and counts it, deduplicating only the rows with one', async () => {
    const { store: s } = store();
    const t = task(1);
    await record(s, t);
    await stage(s, t, [
      [leg(null, '1', 'a'), leg('1', '1')],
      [leg(null, '1', 'a'), leg('1', '1'), leg('2', null, 'b')],
    ]);
    const result = await publishWindow(t, done(2, 5, 0, 5), { store: s, clock }, options);
    expect(result).toMatchObject({ kind: 'published', duplicates: 1, unidentified: 3, entry: { rows: 4 } });
    const lines = decodeLines((await s.get(lakeKey(t.table, taskWindow(t)))) ?? new Uint8Array());
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      leg(null, '1', 'a'),
      leg('1', '1'),
      leg(null, '1', 'a'),
      leg('2', null, 'b'),
    ]);
  });

  it('publishes nothing for a chain the ledger no longer names as current (a newer attempt)', async () => {
    const { store: s } = store();
    const old = task(1);
    await record(s, old, running(old, { attempt: 2, chain: 'newer123456' }));
    await stage(s, old, [[leg('1', '1')]]);
    const result = await publishWindow(old, done(1, 1, 0, 1), { store: s, clock }, options);
    expect(result).toEqual({ kind: 'superseded', by: 'newer123456' });
    expect(await s.get(lakeKey(old.table, taskWindow(old)))).toBeUndefined();
    expect(await readLedgerEntry(s, ledgerKey(old.table, taskWindow(old)))).toMatchObject({
      status: 'running',
      chain: 'newer123456',
    });
  });

  it('publishes nothing for a chain of another PBX scope with the same attempt number', async () => {
    const { store: s } = store();
    const t = task(1);
    await record(s, t, running(t, { chain: 'other1234567' }));
    await stage(s, t, [[leg('1', '1')]]);
    const result = await publishWindow(t, done(1, 1, 0, 1), { store: s, clock }, options);
    expect(result).toEqual({ kind: 'superseded', by: 'other1234567' });
    expect(await s.get(lakeKey(t.table, taskWindow(t)))).toBeUndefined();
  });

  it('publishes nothing for a window without a ledger entry, or one that failed', async () => {
    const { store: s } = store();
    const t = task(1);
    await stage(s, t, [[leg('1', '1')]]);
    expect(await publishWindow(t, done(1, 1, 0, 1), { store: s, clock }, options)).toMatchObject({
      kind: 'superseded',
    });
    const failed = failedEntry(running(t), 'the API refused the cursor', clock.now());
    await record(s, t, failed);
    expect(await publishWindow(t, done(1, 1, 0, 1), { store: s, clock }, options)).toMatchObject({
      kind: 'superseded',
    });
    expect(await s.get(lakeKey(t.table, taskWindow(t)))).toBeUndefined();
  });

  it('answers a redelivered last page with the published entry, writing nothing again', async () => {
    const { store: s } = store();
    const t = task(1);
    const published = publishedEntry(running(t), done(1, 1, 0, 1), clock.now(), 60);
    await record(s, t, published);
    const result = await publishWindow(t, done(1, 1, 0, 1), { store: s, clock }, options);
    expect(result).toEqual({
      kind: 'published',
      entry: published,
      duplicates: 0,
      unidentified: 0,
      alreadyPublished: true,
    });
    expect(await s.get(lakeKey(t.table, taskWindow(t)))).toBeUndefined();
  });

  it("waits while an older chain holds the window's publishing lease, and takes over a stale one", async () => {
    const { store: s } = store();
    const t = task(2);
    const since = (ms: number) => new Date(clock.now() - ms).toISOString();
    await record(s, t, running(t, { publishing: { chain: 'older1234567', since: since(60_000) } }));
    await stage(s, t, [[leg('1', '1')]]);
    await expect(publishWindow(t, done(1, 1, 0, 1), { store: s, clock }, options)).rejects.toBeInstanceOf(
      PublishWaitError,
    );
    expect(await s.get(lakeKey(t.table, taskWindow(t)))).toBeUndefined();
    await record(s, t, running(t, { publishing: { chain: 'older1234567', since: since(PUBLISH_LEASE_MS) } }));
    const result = await publishWindow(t, done(1, 1, 0, 1), { store: s, clock }, options);
    expect(result).toMatchObject({ kind: 'published', entry: { chain: CHAIN, rows: 1 } });
  });

  it('keeps the previous version of the window whole when a staged page is missing mid-publish', async () => {
    const { root, store: s } = store();
    const t = task(2);
    await record(s, t);
    const key = lakeKey(t.table, taskWindow(t));
    await s.put(key, encodeLines([leg('9', '9')]));
    await stage(s, t, [[leg('1', '1')]]);
    const publishing = publishWindow(t, done(2, 2, 0, 2), { store: s, clock }, options);
    await expect(publishing).rejects.toBeInstanceOf(MissingStagedPageError);
    expect(gunzipSync((await s.get(key)) ?? new Uint8Array()).toString()).toBe(
      `${JSON.stringify(leg('9', '9'))}\n`,
    );
    const folder = join(root, 'lake/call_legs/dt=2026-11-27');
    expect(readdirSync(folder)).toEqual(['20261127T0100Z-60m.json.gz']);
  });

  it('writes a row once when a scoped pull also returns a row the other PBXes kept', async () => {
    const { store: s } = store();
    const t = { ...task(2), pbx: ['acmecorp'] };
    await record(s, t);
    const key = lakeKey(t.table, taskWindow(t));
    const of = (pbx: string, row: LakeRow) => ({ ...row, pbx_id: pbx });
    await s.put(
      key,
      encodeLines([of('acmecorp', leg('1', '1', 'old')), of('acmecorp2', leg('2', '1', 'old'))]),
    );
    await stage(s, t, [[of('acmecorp', leg('1', '1', 'new')), of('acmecorp2', leg('2', '1', 'new'))]]);
    const result = await publishWindow(t, done(1, 2, 0, 2), { store: s, clock }, options);
    expect(result).toMatchObject({ kind: 'published', duplicates: 0, entry: { rows: 2 } });
    const lines = decodeLines((await s.get(key)) ?? new Uint8Array()).map((l) => JSON.parse(l));
    expect(lines).toEqual([of('acmecorp', leg('1', '1', 'new')), of('acmecorp2', leg('2', '1', 'new'))]);
  });

  it('breaks at once a lease whose holder is known to be dead (a local run killed mid-publish)', async () => {
    const { store: s } = store();
    const t = task(2);
    const since = new Date(clock.now() - 60_000).toISOString();
    const lease = (holder: string) => ({ publishing: { chain: 'older1234567', since, holder } });
    const leases = (alive: boolean | undefined) => ({ self: 'here:1', isAlive: () => alive });
    await stage(s, t, [[leg('1', '1')]]);
    for (const alive of [true, undefined]) {
      await record(s, t, running(t, lease('here:2')));
      const waiting = publishWindow(t, done(1, 1, 0, 1), { store: s, clock, leases: leases(alive) }, options);
      await expect(waiting).rejects.toThrow(/chain older1234567 \(here:2\) is still writing/);
    }
    const result = await publishWindow(
      t,
      done(1, 1, 0, 1),
      { store: s, clock, leases: leases(false) },
      {
        ...options,
        removeStaging: false,
      },
    );
    expect(result).toMatchObject({ kind: 'published', entry: { chain: CHAIN, rows: 1 } });
  });

  it("records this worker as the lease's holder while it writes", async () => {
    const { store: s } = store();
    const t = task(1);
    await record(s, t);
    await stage(s, t, [[leg('1', '1')]]);
    const seen: unknown[] = [];
    const watching = {
      ...s,
      putStream: async (key: string, body: AsyncIterable<Uint8Array>) => {
        seen.push((await readLedgerEntry(s, ledgerKey(t.table, taskWindow(t))))?.publishing);
        return s.putStream(key, body);
      },
    };
    Object.setPrototypeOf(watching, Object.getPrototypeOf(s));
    const leases = { self: 'here:1', isAlive: () => true };
    await publishWindow(t, done(1, 1, 0, 1), { store: watching as FileObjectStore, clock, leases }, options);
    expect(seen).toEqual([{ chain: CHAIN, since: new Date(clock.now()).toISOString(), holder: 'here:1' }]);
  });

  it('records the placement of a table in the manifest, and refuses a chain that places rows another way', async () => {
    const { store: s } = store();
    const t = task(1);
    await record(s, t);
    await stage(s, t, [[leg('1', '1')]]);
    await publishWindow(t, done(1, 1, 0, 1), { store: s, clock }, options);
    expect(JSON.parse(text(await s.get(MANIFEST_KEY)))).toMatchObject({
      placement: { 'call-legs': { isConnectTime: false, isSimplified: false } },
    });
    const other = { ...task(2, 'connect12345'), isConnectTime: true };
    await record(s, other);
    await stage(s, other, [[leg('1', '1')]]);
    const fresh = new FileObjectStore(s.root);
    await expect(publishWindow(other, done(1, 1, 0, 1), { store: fresh, clock }, options)).rejects.toThrow(
      LakeManifestError,
    );
    expect(await readLedgerEntry(fresh, ledgerKey(other.table, taskWindow(other)))).toMatchObject({
      status: 'running',
    });
  });
});
