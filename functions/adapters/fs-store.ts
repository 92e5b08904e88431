import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type Dirent } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WalakeError } from '../core/errors.js';
import type { ObjectStore, Versioned } from '../core/ports.js';

/** A key (or prefix) that could escape the store's folder or would not round-trip through the filesystem. */
export class InvalidObjectKeyError extends WalakeError {
  override readonly name = 'InvalidObjectKeyError';
  override readonly retryable = false;
  constructor(key: string, why: string) {
    super(`object key ${JSON.stringify(key)} refused: ${why}; use a relative key such as lake/call_legs/...`);
  }
}

// Temp files share the folder of their object (rename is atomic only within one filesystem), so their names
// are reserved: list() hides them and no key may look like one.
const TEMP = /\.tmp-[0-9a-f]{16}$/;

function checkKey(key: string, kind: 'key' | 'prefix'): void {
  if (key.includes('..')) throw new InvalidObjectKeyError(key, 'it contains ".."');
  if (key.startsWith('/')) throw new InvalidObjectKeyError(key, 'it starts with "/"');
  if (key.includes('\\')) throw new InvalidObjectKeyError(key, 'it contains a backslash');
  if (key.includes('\0')) throw new InvalidObjectKeyError(key, 'it contains a NUL character');
  // The filesystem folds `a//b` and `a/./b` into `a/b`: such a key would be listed under another name.
  const segments = key.split('/');
  if (kind === 'prefix') segments.pop();
  for (const s of segments) {
    if (s === '' || s === '.') throw new InvalidObjectKeyError(key, 'it has an empty or "." path segment');
    if (TEMP.test(s)) throw new InvalidObjectKeyError(key, 'it ends like a temp file (.tmp-<16 hex>)');
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  // ENOTDIR: a parent of the path is an object; EISDIR: the key names a folder. S3 has neither: no object.
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** The lock of an object: named like a temp file, so that list() hides it and no key can take its name. */
const LOCK_SUFFIX = '.tmp-0000000000000000';
const STALE_LOCK_MS = 30_000;

function versionOf(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 32);
}

/**
 * Takes an object's lock. The lock file appears with its content in one step (written beside it, then linked
 * in place), so a lock that is empty or unreadable was never a lock: a write that failed half way (a full
 * disk) or another program left it, and it is broken at once. A lock older than {@link STALE_LOCK_MS} is
 * broken as its holder's crash.
 */
async function acquire(lock: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    // The lock holds the time it was taken, on this process's clock: a file's mtime comes from the
    // filesystem's, which may disagree (a network folder, a faked clock).
    const taken = String(Date.now());
    if (await createWhole(lock, taken)) return;
    const held = await readFile(lock, 'utf8').catch(() => undefined);
    if (held === undefined) continue; // Released meanwhile: try again at once.
    const at = /^\d+$/.test(held) ? Number(held) : Number.NaN;
    const broken = !(at > 0) || Date.now() - at > STALE_LOCK_MS;
    if (broken) await breakLock(lock, held);
    else if (attempt > 3_000) throw new Error(`${lock} stayed locked for 30 s; remove it if no walake runs`);
    else await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Creates `path` holding `body`, only if it does not exist; false when it does. Never leaves it partial. */
async function createWhole(path: string, body: string): Promise<boolean> {
  const temp = `${path.slice(0, -LOCK_SUFFIX.length)}.tmp-${randomBytes(8).toString('hex')}`;
  try {
    await writeFile(temp, body, { flag: 'wx' });
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Removes a lock judged broken from its content `held`, unless another writer took the lock meanwhile: the
 * lock is moved aside first (one mover wins), and put back if what was moved is not what was judged.
 */
async function breakLock(lock: string, held: string): Promise<void> {
  const aside = `${lock.slice(0, -LOCK_SUFFIX.length)}.tmp-${randomBytes(8).toString('hex')}`;
  try {
    await rename(lock, aside);
  } catch (error) {
    if (isMissing(error)) return; // Another writer broke or released it first.
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => undefined);
  if (moved !== held) await link(aside, lock).catch(() => undefined);
  await rm(aside, { force: true });
}

// S3 lists keys in UTF-8 byte order; JS string order differs above the BMP.
const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * An {@link ObjectStore} over a local folder: the lake's keys are relative paths under `root`, so a local run
 * writes the same layout as S3. Writes are atomic (temp file + rename): a reader sees the old object or the
 * new one, never a partial one.
 */
export class FileObjectStore implements ObjectStore {
  /** The absolute folder holding the objects. */
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The absolute path of a key. */
  pathOf(key: string): string {
    checkKey(key, 'key');
    return join(this.root, ...key.split('/'));
  }

  /** Writes (or replaces) one object atomically. */
  async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.replace(key, (temp) => writeFile(temp, body, { flag: 'wx' }));
  }

  /** Streams one object to a temp file and moves it in place only once the stream ended without error. */
  async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    await this.replace(key, async (temp) => {
      const out = createWriteStream(temp, { flags: 'wx' });
      try {
        await pipeline(body, out);
      } finally {
        // A failed source destroys the stream, but its file may still be opening: wait for it to close, so that
        // removing the temp file does not race the open that would create it again.
        if (!out.closed) await once(out, 'close').catch(() => undefined);
      }
    });
  }

  /** Reads one object; undefined when there is none. */
  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async getVersioned(key: string): Promise<Versioned | undefined> {
    const body = await this.get(key);
    return body && { body, version: versionOf(body) };
  }

  /**
   * Compare-and-set on a folder: a lock file beside the object (created exclusively, so one writer at a time,
   * across processes too) guards the read-compare-replace. A lock left by a crashed process is broken after
   * {@link STALE_LOCK_MS}; an empty or unreadable one at once (see {@link acquire}).
   */
  async putIf(key: string, body: Uint8Array | string, expected: string | null): Promise<string | undefined> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const lock = `${path}${LOCK_SUFFIX}`;
    await acquire(lock);
    try {
      const current = await this.getVersioned(key);
      if ((current?.version ?? null) !== expected) return undefined;
      await this.put(key, body);
      return versionOf(typeof body === 'string' ? Buffer.from(body) : body);
    } finally {
      await rm(lock, { force: true });
    }
  }

  /**
   * Every key that starts with `prefix`, sorted like S3 (UTF-8 byte order). The prefix may end inside a name
   * (`lake/call_legs/dt=2026-11` matches every day of November); a missing folder lists nothing.
   */
  async list(prefix: string): Promise<string[]> {
    if (prefix !== '') checkKey(prefix, 'prefix');
    const cut = prefix.lastIndexOf('/') + 1;
    const folder = prefix.slice(0, cut);
    const keys: string[] = [];
    await this.walk(folder, prefix.slice(cut), keys);
    return keys.sort(byUtf8);
  }

  /** Deletes one object, or every object under a prefix ending in `/`; deleting nothing is not an error. */
  async delete(keyOrPrefix: string): Promise<void> {
    if (keyOrPrefix.endsWith('/')) {
      checkKey(keyOrPrefix, 'prefix');
      await rm(join(this.root, ...keyOrPrefix.split('/')), { recursive: true, force: true });
      return;
    }
    try {
      await unlink(this.pathOf(keyOrPrefix));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  private async replace(key: string, write: (temp: string) => Promise<unknown>): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.tmp-${randomBytes(8).toString('hex')}`;
    try {
      await write(temp);
      await rename(temp, path);
    } catch (error) {
      // The earlier object was never touched; only the partial temp file has to go.
      await rm(temp, { force: true });
      throw error;
    }
  }

  // Walks one folder (key prefix `folder`, ending in `/` or empty); at the top only names starting with `head`.
  private async walk(folder: string, head: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(join(this.root, ...folder.split('/')), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (!entry.name.startsWith(head)) continue;
      if (entry.isDirectory()) await this.walk(`${folder}${entry.name}/`, '', out);
      else if (entry.isFile() && !TEMP.test(entry.name)) out.push(`${folder}${entry.name}`);
    }
  }
}
