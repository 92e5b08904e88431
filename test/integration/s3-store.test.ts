import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../functions/adapters/s3-store.js';
import { motoClientConfig } from '../support/moto.js';

let store: S3ObjectStore;
beforeAll(async () => {
  const client = new S3Client(motoClientConfig());
  const bucket = `walake-cas-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  store = new S3ObjectStore(client, bucket);
});

describe('S3ObjectStore compare-and-set on moto (conditional writes)', () => {
  it('creates only when told to expect nothing, and answers false when the object exists', async () => {
    expect(await store.putIf('ledger/a.json', 'first', null)).toEqual(expect.any(String));
    expect(await store.putIf('ledger/a.json', 'second', null)).toBeUndefined();
    expect(Buffer.from((await store.get('ledger/a.json')) ?? []).toString()).toBe('first');
  });

  it('replaces at the ETag it read, and refuses a stale one without writing', async () => {
    await store.put('ledger/b.json', 'v1');
    const read = await store.getVersioned('ledger/b.json');
    expect(read?.version).toMatch(/^"[0-9a-f]+"$/);
    expect(await store.putIf('ledger/b.json', 'v2', read?.version ?? '')).toEqual(expect.any(String));
    expect(await store.putIf('ledger/b.json', 'v3', read?.version ?? '')).toBeUndefined();
    expect(Buffer.from((await store.get('ledger/b.json')) ?? []).toString()).toBe('v2');
  });

  it('lets exactly one of concurrent writers of the same version win', async () => {
    await store.put('ledger/c.json', 'base');
    const read = await store.getVersioned('ledger/c.json');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.putIf('ledger/c.json', `writer ${i}`, read?.version ?? '')),
    );
    const won = results.filter((v) => v !== undefined);
    expect(won).toHaveLength(1);
    // The version a write answers is the one a read then sees: the next compare-and-set can start from it.
    expect(won[0]).toBe((await store.getVersioned('ledger/c.json'))?.version);
  });

  it('reads a missing object as absent, with no version', async () => {
    expect(await store.getVersioned('ledger/none.json')).toBeUndefined();
  });
});
