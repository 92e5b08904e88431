import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileObjectStore, InvalidObjectKeyError } from '../../../functions/adapters/fs-store.js';

let root: string;
let store: FileObjectStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fs-store-'));
  store = new FileObjectStore(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

const text = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString();

async function* chunks(parts: string[], failAfter?: number): AsyncGenerator<Uint8Array> {
  for (const [i, part] of parts.entries()) {
    if (i === failAfter) throw new Error('network dropped');
    yield Buffer.from(part);
  }
}

describe('FileObjectStore', () => {
  it('reads back what it wrote, text or bytes, under nested keys', async () => {
    await store.put('lake/call_legs/dt=2026-11-27/w.json.gz', 'héllo\n');
    await store.put('a', new Uint8Array([0, 255, 10]));
    expect(text(await store.get('lake/call_legs/dt=2026-11-27/w.json.gz'))).toBe('héllo\n');
    expect([...((await store.get('a')) ?? [])]).toEqual([0, 255, 10]);
  });

  it('returns undefined for a missing key, a folder, or a key below an object', async () => {
    await store.put('x/y', '1');
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.get('x')).toBeUndefined();
    expect(await store.get('x/y/z')).toBeUndefined();
  });

  it('replaces an object on put and leaves no temp file behind', async () => {
    await store.put('k/v.json', 'old');
    await store.put('k/v.json', 'new');
    expect(text(await store.get('k/v.json'))).toBe('new');
    expect(await readdir(join(root, 'k'))).toEqual(['v.json']);
  });

  it('lists every key under a prefix recursively, in byte order', async () => {
    for (const key of ['b/2', 'a/z', 'a/b/c', 'a-1', 'a/é', 'a/😀', 'a/\uffff', 'ab'])
      await store.put(key, key);
    expect(await store.list('')).toEqual(['a-1', 'a/b/c', 'a/z', 'a/é', 'a/\uffff', 'a/😀', 'ab', 'b/2']);
    expect(await store.list('a/')).toEqual(['a/b/c', 'a/z', 'a/é', 'a/\uffff', 'a/😀']);
  });

  it('matches a prefix that ends inside a name, like S3', async () => {
    const days = ['dt=2026-10-31/w', 'dt=2026-11-01/w', 'dt=2026-11-30/w', 'dt=2026-12-01/w'];
    for (const day of days) await store.put(`ledger/call_legs/${day}`, '{}');
    expect(await store.list('ledger/call_legs/dt=2026-11')).toEqual([
      'ledger/call_legs/dt=2026-11-01/w',
      'ledger/call_legs/dt=2026-11-30/w',
    ]);
    expect(await store.list('ledger/call_legs/dt=2026-11-01/w')).toEqual([
      'ledger/call_legs/dt=2026-11-01/w',
    ]);
  });

  it('lists nothing for a folder that does not exist', async () => {
    expect(await store.list('lake/call_records/')).toEqual([]);
    expect(await new FileObjectStore(join(root, 'absent')).list('')).toEqual([]);
  });

  it('deletes one key, or everything under a prefix ending in /', async () => {
    for (const key of ['s/1/p1', 's/1/p2', 's/10/p1', 's/2/p1']) await store.put(key, 'x');
    await store.delete('s/2/p1');
    await store.delete('s/2/p1');
    await store.delete('s/1/');
    expect(await store.list('s/')).toEqual(['s/10/p1']);
    await store.delete('never/');
  });

  it('refuses keys that could escape the folder or that the filesystem would rename', async () => {
    for (const key of [
      '../x',
      'a/../../x',
      '/etc/passwd',
      'a\\b',
      'a//b',
      './a',
      'a/',
      '',
      'a.tmp-0123456789abcdef',
    ]) {
      await expect(store.put(key, 'x'), key).rejects.toThrow(InvalidObjectKeyError);
    }
    await expect(store.list('../')).rejects.toThrow(/contains "\.\."/);
    await expect(store.delete('/')).rejects.toThrow(/starts with "\/"/);
    await expect(store.get('a\\b')).rejects.toThrow(/backslash/);
  });

  it('replaces an object from a stream only once the stream is complete', async () => {
    await store.put('lake/w.json.gz', 'old');
    await store.putStream('lake/w.json.gz', chunks(['n', 'e', 'w']));
    expect(text(await store.get('lake/w.json.gz'))).toBe('new');
    await store.putStream('lake/fresh', chunks([]));
    expect(text(await store.get('lake/fresh'))).toBe('');
  });

  it('keeps the old object and removes the temp file when the stream fails mid-way', async () => {
    await store.put('lake/w.json.gz', 'old');
    await expect(store.putStream('lake/w.json.gz', chunks(['a', 'b', 'c'], 2))).rejects.toThrow(
      'network dropped',
    );
    expect(text(await store.get('lake/w.json.gz'))).toBe('old');
    expect(await readdir(join(root, 'lake'))).toEqual(['w.json.gz']);
  });

  it('hides an in-progress temp file from list', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('part');
      await gate;
    }
    const writing = store.putStream('d/obj', slow());
    await expect.poll(async () => (await readdir(join(root, 'd')).catch(() => [])).length).toBe(1);
    expect(await store.list('d/')).toEqual([]);
    expect(await store.get('d/obj')).toBeUndefined();
    release();
    await writing;
    expect(await store.list('d/')).toEqual(['d/obj']);
  });

  describe('compare-and-set (putIf)', () => {
    it('creates an absent object only when told to expect none', async () => {
      expect(await store.getVersioned('ledger/w.json')).toBeUndefined();
      expect(await store.putIf('ledger/w.json', 'one', null)).toEqual(expect.any(String));
      expect(await store.putIf('ledger/w.json', 'two', null)).toBeUndefined();
      expect(text(await store.get('ledger/w.json'))).toBe('one');
    });

    it('writes over the version it read, and refuses a stale version, writing nothing', async () => {
      await store.put('ledger/w.json', 'one');
      const first = await store.getVersioned('ledger/w.json');
      expect(text(first?.body)).toBe('one');
      expect(await store.putIf('ledger/w.json', 'two', first?.version ?? null)).toEqual(expect.any(String));
      const second = await store.getVersioned('ledger/w.json');
      expect(second?.version).not.toBe(first?.version);
      expect(await store.putIf('ledger/w.json', 'stale', first?.version ?? null)).toBeUndefined();
      expect(text(await store.get('ledger/w.json'))).toBe('two');
      expect(await store.putIf('ledger/w.json', 'three', second?.version ?? null)).toEqual(
        expect.any(String),
      );
      expect(text(await store.get('ledger/w.json'))).toBe('three');
    });

    it('lets exactly one of concurrent writers of the same version win, and leaves no lock behind', async () => {
      await store.put('ledger/w.json', 'start');
      const read = await store.getVersioned('ledger/w.json');
      const writers = Array.from({ length: 8 }, (_, i) =>
        store.putIf('ledger/w.json', `writer ${i}`, read?.version ?? null),
      );
      const won = await Promise.all(writers);
      expect(won.filter(Boolean)).toHaveLength(1);
      const winner = won.findIndex((v) => v !== undefined);
      expect(text(await store.get('ledger/w.json'))).toBe(`writer ${winner}`);
      expect(won[winner]).toBe((await store.getVersioned('ledger/w.json'))?.version);
      expect(await readdir(join(root, 'ledger'))).toEqual(['w.json']);
      expect(await store.list('ledger/')).toEqual(['ledger/w.json']);
    });

    it.each([
      ['empty (a full disk)', ''],
      ['unreadable', 'not a time'],
    ])('breaks a lock file left %s at once, and leaves none behind', async (_why, content) => {
      await store.put('ledger/w.json', 'start');
      const read = await store.getVersioned('ledger/w.json');
      await writeFile(join(root, 'ledger', 'w.json.tmp-0000000000000000'), content);
      expect(await store.putIf('ledger/w.json', 'next', read?.version ?? null)).toEqual(expect.any(String));
      expect(text(await store.get('ledger/w.json'))).toBe('next');
      expect(await readdir(join(root, 'ledger'))).toEqual(['w.json']);
    });

    it('lets exactly one of concurrent creators win', async () => {
      const won = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.putIf('m.json', `c${i}`, null)),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(text(await store.get('m.json'))).toBe(`c${won.findIndex((v) => v !== undefined)}`);
    });
  });
});
