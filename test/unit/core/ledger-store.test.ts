import { describe, expect, it } from 'vitest';
import { ledgerKey } from '../../../functions/core/lake-keys.js';
import { type LedgerEntry, runningEntry } from '../../../functions/core/ledger.js';
import {
  entryText,
  LedgerContentionError,
  readLedgerEntry,
  readVersionedEntry,
  updateEntry,
} from '../../../functions/core/ledger-store.js';
import { parseWindowId } from '../../../functions/core/windows.js';
import { MemoryStore } from '../../support/memory-store.js';

const W = parseWindowId('20261127T0100Z-60m');
const KEY = ledgerKey('call-legs', W);
const AT = Date.UTC(2026, 10, 27, 3);
const entry = (attempt: number, chain = `chain${attempt}x`): LedgerEntry =>
  runningEntry({ table: 'call-legs', window: W, pbx: 'allpbxes', attempt, chain }, AT);

describe('the memory store keeps the compare-and-set contract', () => {
  it('creates only over nothing, writes only over the version read, refuses a stale one', async () => {
    const store = new MemoryStore();
    expect(await store.putIf('k', 'a', null)).toEqual(expect.any(String));
    expect(await store.putIf('k', 'b', null)).toBeUndefined();
    const read = await store.getVersioned('k');
    expect(await store.putIf('k', 'b', read?.version ?? null)).toEqual(expect.any(String));
    expect(await store.putIf('k', 'c', read?.version ?? null)).toBeUndefined();
    expect(Buffer.from((await store.get('k')) ?? []).toString()).toBe('b');
  });
});

describe('updateEntry', () => {
  it('creates an entry where there was none, and reads it back with its version', async () => {
    const store = new MemoryStore();
    const written = await updateEntry(store, KEY, (current) => (current ? undefined : entry(1)));
    expect(written).toEqual(entry(1));
    expect(await readLedgerEntry(store, KEY)).toEqual(entry(1));
    expect(await readVersionedEntry(store, KEY)).toEqual({ entry: entry(1), version: 'v1' });
    expect(Buffer.from((await store.get(KEY)) ?? []).toString()).toBe(entryText(entry(1)));
  });

  it('writes nothing when the change declines', async () => {
    const store = new MemoryStore();
    await store.put(KEY, entryText(entry(1)));
    expect(await updateEntry(store, KEY, () => undefined)).toBeUndefined();
    expect((await store.getVersioned(KEY))?.version).toBe('v1');
  });

  it('reads again and asks again when another writer got there first, building on what it wrote', async () => {
    const store = new MemoryStore();
    await store.put(KEY, entryText(entry(1)));
    let raced = false;
    store.beforePutIf = (key) => {
      if (raced) return;
      raced = true;
      store.objects.set(key, { body: Buffer.from(entryText(entry(5))), version: 'other' });
    };
    const seen: (number | undefined)[] = [];
    const written = await updateEntry(store, KEY, (current) => {
      seen.push(current?.attempt);
      return entry((current?.attempt ?? 0) + 1);
    });
    expect(seen).toEqual([1, 5]);
    expect(written).toMatchObject({ attempt: 6 });
    expect(await readLedgerEntry(store, KEY)).toMatchObject({ attempt: 6 });
  });

  it('gives up with a LedgerContentionError when the entry keeps changing, writing nothing of its own', async () => {
    const store = new MemoryStore();
    await store.put(KEY, entryText(entry(1)));
    let other = 0;
    store.beforePutIf = (key) => {
      store.objects.set(key, { body: Buffer.from(entryText(entry(1))), version: `other${++other}` });
    };
    await expect(updateEntry(store, KEY, () => entry(2))).rejects.toBeInstanceOf(LedgerContentionError);
    expect(await readLedgerEntry(store, KEY)).toMatchObject({ attempt: 1 });
  });

  it('treats an unreadable entry as absent, and replaces it at the version it was read', async () => {
    const store = new MemoryStore();
    await store.put(KEY, '{"v":1,');
    expect(await readLedgerEntry(store, KEY)).toBeUndefined();
    expect(await readVersionedEntry(store, KEY)).toEqual({ entry: undefined, version: 'v1' });
    expect(await updateEntry(store, KEY, (current) => (current ? undefined : entry(1)))).toEqual(entry(1));
  });

  it('lets exactly one of concurrent starters of a window win', async () => {
    const store = new MemoryStore();
    const starters = Array.from({ length: 5 }, (_, i) =>
      updateEntry(store, KEY, (current) => (current ? undefined : entry(1, `starter${i}`))),
    );
    const written = (await Promise.all(starters)).filter((e) => e !== undefined);
    expect(written).toHaveLength(1);
    expect(await readLedgerEntry(store, KEY)).toEqual(written[0]);
  });
});
