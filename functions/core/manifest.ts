import * as z from 'zod/mini';
import { WalakeError } from './errors.js';
import { MANIFEST_KEY } from './lake-keys.js';
import type { PageTask } from './page-task.js';
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
 * How a table's rows are placed in windows: the report's parameters that decide by which time the API selects
 * a window's rows (`isConnectTime`) and which rows exist (`isSimplified`). Two placements over the same windows
 * would repeat some rows and lose others, without a row out of place to show it. The filter field is not part
 * of it: it is what walake believes the API selects by, and a wrong belief is loud on its own (the rows it
 * misplaces are quarantined), so correcting it and rerunning is the fix, not a second placement.
 */
export const PlacementSchema = z.strictObject({
  isConnectTime: z.boolean(),
  isSimplified: z.boolean(),
});

/** How a table's rows are placed in windows (see {@link PlacementSchema}). */
export type Placement = z.infer<typeof PlacementSchema>;

/** The placement of a chain's rows: the report's parameters. */
export function placementOf(task: Pick<PageTask, 'isConnectTime' | 'isSimplified'>): Placement {
  return { isConnectTime: task.isConnectTime, isSimplified: task.isSimplified };
}

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
  /** Each table's placement, recorded by its first pull (lakes made before it record it then). */
  placement: z.optional(
    z.strictObject({
      'call-legs': z.optional(PlacementSchema),
      'call-records': z.optional(PlacementSchema),
    }),
  ),
  /** The probe's findings, recorded by `walake probe` with a lake named. */
  api: z.optional(ApiFindingsSchema),
});

export type LakeManifest = z.infer<typeof ManifestSchema>;

/** Placements a writer is about to use, per table. */
export type Placements = Partial<Record<Table, Placement>>;

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
  placements: Placements = {},
): Promise<LakeManifest> {
  const known = checked.get(store);
  if (known?.gridMinutes === gridMinutes && recorded(known, placements)) return known;
  const manifest = await readOrCreate(store, gridMinutes, nowMs, placements);
  checked.set(store, manifest);
  return manifest;
}

/** Whether the manifest records exactly these placements already. */
function recorded(manifest: LakeManifest, placements: Placements): boolean {
  return Object.entries(placements).every(([table, wanted]) =>
    samePlacement(manifest.placement?.[table as Table], wanted),
  );
}

function samePlacement(a: Placement | undefined, b: Placement | undefined): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.isConnectTime === b.isConnectTime &&
    a.isSimplified === b.isSimplified
  );
}

/**
 * The manifest with `placements` recorded where a table has none yet.
 * @throws LakeManifestError when a table's recorded placement differs, with how to migrate.
 */
function withPlacements(manifest: LakeManifest, placements: Placements): LakeManifest {
  let placement = manifest.placement;
  for (const [name, wanted] of Object.entries(placements)) {
    const table = name as Table;
    const have = placement?.[table];
    if (!wanted || samePlacement(have, wanted)) continue;
    if (have) throw new LakeManifestError(placementConflict(table, have, wanted));
    placement = { ...placement, [table]: wanted };
  }
  return placement === manifest.placement ? manifest : { ...manifest, placement };
}

function describePlacement(p: Placement): string {
  const time = p.isConnectTime ? 'connect time (isConnectTime)' : 'disconnect time';
  return `${time}, ${p.isSimplified ? 'without child legs (isSimplified)' : 'child legs included'}`;
}

function placementConflict(table: Table, have: Placement, wanted: Placement): string {
  return (
    `the lake places ${table} rows in windows by ${describePlacement(have)}, not ${describePlacement(wanted)}: ` +
    'a window pulled the other way would repeat rows its neighbours hold and lose others. Use the settings ' +
    'the lake was made with (--connect-time and --simplified; isConnectTime and isSimplified in the stack), ' +
    'or migrate: write the new ' +
    'placement into a new lake (another --out folder or bucket), backfill it, then switch your queries over'
  );
}

/**
 * Manifests already checked, per store: a grid never changes under a lake, so a container or a run reads it
 * once instead of once per published window.
 */
const checked = new WeakMap<ObjectStore, LakeManifest>();

async function readOrCreate(
  store: ObjectStore,
  gridMinutes: number,
  nowMs: number,
  placements: Placements,
): Promise<LakeManifest> {
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
      const upgraded = withPlacements({ ...manifest, schemaVersion: SCHEMA_VERSION }, placements);
      if (manifest.schemaVersion === SCHEMA_VERSION && upgraded.placement === manifest.placement)
        return manifest;
      if ((await store.putIf(MANIFEST_KEY, text(upgraded), found.version)) !== undefined) return upgraded;
      continue;
    }
    const existing = await existingGrid(store);
    if (existing !== undefined) checkGrid(existing, gridMinutes);
    const manifest: LakeManifest = withPlacements(
      { v: 1, gridMinutes, schemaVersion: SCHEMA_VERSION, createdAt: new Date(nowMs).toISOString() },
      placements,
    );
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
      await readOrCreate(store, gridMinutes, nowMs, {});
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
 * The reports whose chains may end on their last data page: only when allowed by the configuration and the
 * lake's manifest records that the probe found full pages until the last. One read of the manifest for all of
 * `tables`, fresh, not cached: a probe run since the last read counts at once.
 */
export async function endOnLastDataPageAllowed(
  store: ObjectStore,
  tables: readonly Table[],
  enabled: boolean,
): Promise<Partial<Record<Table, boolean>>> {
  const found = enabled ? await store.get(MANIFEST_KEY) : undefined;
  const measured = found === undefined ? undefined : parseManifest(found).api?.fullPagesUntilLast;
  return Object.fromEntries(tables.map((table) => [table, measured?.[table] === true]));
}

/** The lake's manifest, or undefined for a lake without one (made before manifests, or empty). */
export async function readManifest(store: ObjectStore): Promise<LakeManifest | undefined> {
  const found = await store.get(MANIFEST_KEY);
  return found === undefined ? undefined : parseManifest(found);
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
