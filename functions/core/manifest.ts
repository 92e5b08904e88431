import * as z from 'zod/mini';
import { WalakeError } from './errors.js';
import { MANIFEST_KEY } from './lake-keys.js';
import type { ObjectStore } from './ports.js';
import type { Table } from './tables.js';
import { parseWindowId, windowMinutes } from './windows.js';
import './zod.js';

/**
 * The version of the lake's row schema. 2: every integer column is `bigint`, and values that do not fit their
 * column go to `extra`. Version 1 lakes read the same under version 2 (JSON numbers fit a wider column).
 */
export const SCHEMA_VERSION = 2;

/**
 * What `walake probe` measured of the API the lake is pulled from, where the docs are silent. Per report:
 * whether every page before the last was full (`pageSize` rows), which is what lets a chain end on its last
 * data page (see `endsOnLastDataPage`); absent when the probe could not tell.
 */
export const ApiFindingsSchema = z.strictObject({
  measuredAt: z.iso.datetime(),
  fullPagesUntilLast: z.strictObject({
    'call-legs': z.optional(z.boolean()),
    'call-records': z.optional(z.boolean()),
  }),
});

export type ApiFindings = z.infer<typeof ApiFindingsSchema>;

/** What a lake was made with, once, at `lake/_manifest.json`: whatever would mix two of them is refused. */
export const ManifestSchema = z.strictObject({
  v: z.literal(1),
  gridMinutes: z.int().check(z.positive()),
  schemaVersion: z.int().check(z.positive()),
  createdAt: z.iso.datetime(),
  /** The probe's findings, recorded by `walake probe` with a lake named. */
  api: z.optional(ApiFindingsSchema),
});

export type LakeManifest = z.infer<typeof ManifestSchema>;

/** The lake was made on another grid (or by a newer version): writing would double rows or mix schemas. */
export class LakeManifestError extends WalakeError {
  override readonly name = 'LakeManifestError';
  override readonly retryable = false;
}

/**
 * Checks that a lake may take windows of `gridMinutes`, and records the grid on first use. A lake made before
 * manifests existed is read for the grid of its window objects first, so an old lake is not taken over by a
 * different grid either.
 * @throws LakeManifestError when the lake's grid differs, with how to migrate.
 */
export async function ensureManifest(
  store: ObjectStore,
  gridMinutes: number,
  nowMs: number,
): Promise<LakeManifest> {
  const known = checked.get(store);
  if (known?.gridMinutes === gridMinutes) return known;
  const manifest = await readOrCreate(store, gridMinutes, nowMs);
  checked.set(store, manifest);
  return manifest;
}

/**
 * Manifests already checked, per store: a grid never changes under a lake, so a container or a run reads it
 * once instead of once per published window.
 */
const checked = new WeakMap<ObjectStore, LakeManifest>();

async function readOrCreate(store: ObjectStore, gridMinutes: number, nowMs: number): Promise<LakeManifest> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await store.getVersioned(MANIFEST_KEY);
    if (found) {
      const manifest = parseManifest(found.body);
      checkGrid(manifest.gridMinutes, gridMinutes);
      if (manifest.schemaVersion > SCHEMA_VERSION) {
        throw new LakeManifestError(
          `the lake was written with row schema ${manifest.schemaVersion}, newer than this walake's ` +
            `${SCHEMA_VERSION}: upgrade walake before writing to it`,
        );
      }
      if (manifest.schemaVersion === SCHEMA_VERSION) return manifest;
      const upgraded = { ...manifest, schemaVersion: SCHEMA_VERSION };
      if ((await store.putIf(MANIFEST_KEY, text(upgraded), found.version)) !== undefined) return upgraded;
      continue;
    }
    const existing = await existingGrid(store);
    if (existing !== undefined) checkGrid(existing, gridMinutes);
    const manifest: LakeManifest = {
      v: 1,
      gridMinutes,
      schemaVersion: SCHEMA_VERSION,
      createdAt: new Date(nowMs).toISOString(),
    };
    if ((await store.putIf(MANIFEST_KEY, text(manifest), null)) !== undefined) return manifest;
  }
  throw new LakeManifestError(`${MANIFEST_KEY} kept changing while it was read; try again`);
}

/**
 * Records the probe's findings in the lake's manifest (compare-and-set, replacing earlier findings). A lake
 * without a manifest gets one on `gridMinutes`, checked as a first run would.
 */
export async function recordApiFindings(
  store: ObjectStore,
  findings: ApiFindings,
  gridMinutes: number,
  nowMs: number,
): Promise<LakeManifest> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const found = await store.getVersioned(MANIFEST_KEY);
    if (!found) {
      await readOrCreate(store, gridMinutes, nowMs);
      continue;
    }
    const updated: LakeManifest = { ...parseManifest(found.body), api: ApiFindingsSchema.parse(findings) };
    if ((await store.putIf(MANIFEST_KEY, text(updated), found.version)) !== undefined) {
      checked.delete(store);
      return updated;
    }
  }
  throw new LakeManifestError(`${MANIFEST_KEY} kept changing while it was written; try again`);
}

/**
 * Whether chains of `table` may end on their last data page: only when allowed by the configuration and
 * the lake's manifest records that the probe found full pages until the last. Read fresh, not cached: a probe
 * run since the last read counts at once.
 */
export async function endOnLastDataPageAllowed(
  store: ObjectStore,
  table: Table,
  enabled: boolean,
): Promise<boolean> {
  if (!enabled) return false;
  const found = await store.get(MANIFEST_KEY);
  return found !== undefined && parseManifest(found).api?.fullPagesUntilLast[table] === true;
}

function text(manifest: LakeManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function parseManifest(body: Uint8Array): LakeManifest {
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(Buffer.from(body).toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // Reported below.
  }
  throw new LakeManifestError(
    `${MANIFEST_KEY} is not a lake manifest; restore it (it records the lake's grid and schema) or move the lake`,
  );
}

function checkGrid(lakeGrid: number, wanted: number): void {
  if (lakeGrid === wanted) return;
  throw new LakeManifestError(
    `the lake is on a ${lakeGrid}-minute grid, not ${wanted}: two grids over the same days would double every ` +
      `row in Athena. Use --grid-minutes ${lakeGrid} (gridMinutes in the stack), or migrate: write the new ` +
      'grid into a new lake (another --out folder or bucket), backfill it, then switch your queries over',
  );
}

/** The grid of the lake's first window object, if the lake has any (lakes made before manifests). */
async function existingGrid(store: ObjectStore): Promise<number | undefined> {
  for (const folder of ['lake/call_legs/', 'lake/call_records/']) {
    const [first] = await store.list(folder);
    const id = first
      ?.split('/')
      .pop()
      ?.replace(/\.json\.gz$/, '');
    if (id) return windowMinutes(parseWindowId(id));
  }
  return undefined;
}
