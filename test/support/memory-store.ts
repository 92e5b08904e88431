import type { ObjectStore, Versioned } from '../../functions/core/ports.js';

/**
 * The compare-and-set port over a Map: each write takes a new version number. `beforePutIf` runs before every
 * putIf compares, to play another writer that gets there first.
 */
export class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Versioned>();
  private writes = 0;
  beforePutIf: (key: string) => void = () => {};

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, { body: Buffer.from(body), version: `v${++this.writes}` });
  }
  async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    await this.put(key, Buffer.concat(chunks));
  }
  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.body;
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async delete(keyOrPrefix: string): Promise<void> {
    for (const key of await this.list(keyOrPrefix)) {
      if (keyOrPrefix.endsWith('/') || key === keyOrPrefix) this.objects.delete(key);
    }
  }
  async getVersioned(key: string): Promise<Versioned | undefined> {
    return this.objects.get(key);
  }
  async putIf(key: string, body: Uint8Array | string, expected: string | null): Promise<string | undefined> {
    this.beforePutIf(key);
    if ((this.objects.get(key)?.version ?? null) !== expected) return undefined;
    await this.put(key, body);
    return this.objects.get(key)?.version;
  }
}
