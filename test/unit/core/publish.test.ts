import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../functions/adapters/fs-store.js';
import { lakeKey, ledgerKey, stagingKey } from '../../../functions/core/lake-keys.js';
import { decodeLines, encodeLines, lineRanges, rowIdentity } from '../../../functions/core/lake-lines.js';
import { runningEntry } from '../../../functions/core/ledger.js';
import { firstPageTask, type PageTask, taskWindow } from '../../../functions/core/page-task.js';
import { MissingStagedPageError, publishWindow, readLedgerEntry } from '../../../functions/core/publish.js';
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
function task(attempt: number): PageTask {
  return firstPageTask({
    table: 'call-legs',
    window: '20261127T0100Z-60m',
    pbx: 'allpbxes',
    attempt,
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

async function stage(s: FileObjectStore, t: PageTask, pages: LakeRow[][]) {
  for (const [i, rows] of pages.entries()) {
    await s.put(stagingKey(t.table, taskWindow(t), t.attempt, i + 1), encodeLines(rows));
  }
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
    await s.put(
      ledgerKey(t.table, taskWindow(t)),
      JSON.stringify(
        runningEntry(
          { table: t.table, window: taskWindow(t), pbx: 'allpbxes', attempt: 1 },
          clock.now() - 1000,
        ),
      ),
    );
    await stage(s, t, [[leg('1', '1'), leg('1', '2')], [leg('2', '1', 'Zoë "Z", 東京\nline')]]);
    const result = await publishWindow(
      t,
      { pages: 2, rows: 3, dropped: 1, firstPageTotal: 4 },
      { store: s, clock },
      options,
    );
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
      rows: 3,
      pages: 2,
      reconciliation: { verdict: 'match' },
    });
    expect(await s.list('staging/')).toEqual([]);
  });

  it('keeps the first copy of a row that two pages both carry', async () => {
    const { store: s } = store();
    const t = task(1);
    await stage(s, t, [
      [leg('1', '1'), leg('1', '2')],
      [leg('1', '2'), leg('3', '1')],
    ]);
    const result = await publishWindow(
      t,
      { pages: 2, rows: 4, dropped: 0, firstPageTotal: 3 },
      { store: s, clock },
      options,
    );
    expect(result).toMatchObject({ kind: 'published', duplicates: 1, unidentified: 0, entry: { rows: 3 } });
    const lines = decodeLines((await s.get(lakeKey(t.table, taskWindow(t)))) ?? new Uint8Array());
    expect(lines).toHaveLength(3);
  });

  it('keeps every row without an identity and counts it, deduplicating only the rows with one', async () => {
    const { store: s } = store();
    const t = task(1);
    await stage(s, t, [
      [leg(null, '1', 'a'), leg('1', '1')],
      [leg(null, '1', 'a'), leg('1', '1'), leg('2', null, 'b')],
    ]);
    const result = await publishWindow(
      t,
      { pages: 2, rows: 5, dropped: 0, firstPageTotal: 5 },
      { store: s, clock },
      options,
    );
    expect(result).toMatchObject({ kind: 'published', duplicates: 1, unidentified: 3, entry: { rows: 4 } });
    const lines = decodeLines((await s.get(lakeKey(t.table, taskWindow(t)))) ?? new Uint8Array());
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      leg(null, '1', 'a'),
      leg('1', '1'),
      leg(null, '1', 'a'),
      leg('2', null, 'b'),
    ]);
  });

  it("publishes nothing for an attempt older than the ledger's", async () => {
    const { store: s } = store();
    const old = task(1);
    await s.put(
      ledgerKey(old.table, taskWindow(old)),
      JSON.stringify(
        runningEntry({ table: old.table, window: taskWindow(old), pbx: 'allpbxes', attempt: 2 }, clock.now()),
      ),
    );
    await stage(s, old, [[leg('1', '1')]]);
    const result = await publishWindow(
      old,
      { pages: 1, rows: 1, dropped: 0, firstPageTotal: 1 },
      { store: s, clock },
      options,
    );
    expect(result).toEqual({ kind: 'superseded', byAttempt: 2 });
    expect(await s.get(lakeKey(old.table, taskWindow(old)))).toBeUndefined();
  });

  it('keeps the previous version of the window whole when a staged page is missing mid-publish', async () => {
    const { root, store: s } = store();
    const t = task(2);
    const key = lakeKey(t.table, taskWindow(t));
    await s.put(key, encodeLines([leg('9', '9')]));
    await stage(s, t, [[leg('1', '1')]]);
    const publishing = publishWindow(
      t,
      { pages: 2, rows: 2, dropped: 0, firstPageTotal: 2 },
      { store: s, clock },
      options,
    );
    await expect(publishing).rejects.toBeInstanceOf(MissingStagedPageError);
    expect(gunzipSync((await s.get(key)) ?? new Uint8Array()).toString()).toBe(
      `${JSON.stringify(leg('9', '9'))}\n`,
    );
    const folder = join(root, 'lake/call_legs/dt=2026-11-27');
    expect(readdirSync(folder)).toEqual(['20261127T0100Z-60m.json.gz']);
  });
});
