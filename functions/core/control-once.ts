import * as z from 'zod/mini';
import type { Rerun } from './control-message.js';
import { WalakeError } from './errors.js';
import type { PageTask } from './page-task.js';
import { type PlanConfig, rerunStarts, startChains } from './plan.js';
import type { Clock, ObjectStore, TaskQueue } from './ports.js';
import './zod.js';

/** How long a handled control message id is remembered: longer than any redelivery or retry of it. */
export const CONTROL_DEDUP_MS = 24 * 3_600_000;
/** Chains started between two checkpoints. */
const CHECKPOINT_EVERY = 16;

/**
 * What the planner did with a control message, at `control/<id>.json`: how many of its chains it started (in
 * the message's fixed order) and when it finished. A redelivery resumes from there; a duplicate of a message
 * finished less than {@link CONTROL_DEDUP_MS} ago starts nothing.
 */
const ControlMarkerSchema = z.strictObject({
  v: z.literal(1),
  id: z.string(),
  firstSeenAt: z.iso.datetime(),
  started: z.int().check(z.nonnegative()),
  doneAt: z.optional(z.iso.datetime()),
});

type ControlMarker = z.infer<typeof ControlMarkerSchema>;

/** The planner ran out of time: the message comes back and goes on from its checkpoint. */
export class ControlCheckpointError extends WalakeError {
  override readonly name = 'ControlCheckpointError';
  override readonly retryable = true;
}

/** The marker key of a control message id; an id that is not key-safe is encoded. */
export function controlMarkerKey(id: string): string {
  const safe = /^[A-Za-z0-9._-]{1,200}$/.test(id) ? id : Buffer.from(id).toString('base64url').slice(0, 200);
  return `control/${safe}.json`;
}

/** What {@link planRerunOnce} did. */
export type ControlOutcome =
  | { kind: 'started'; started: PageTask[]; resumedAt: number }
  | { kind: 'duplicate'; firstSeenAt: string };

/**
 * A rerun, once per message id: starts its chains from the marker's checkpoint, checkpointing every few, and
 * marks it done. Two deliveries at once: the one that loses a compare-and-set stops (the other goes on).
 * @throws ControlCheckpointError when `deadlineMs` comes before the last chain (retried: it resumes);
 * RangeError when the rerun is over the chain cap (refused, as {@link rerunStarts} says).
 */
export async function planRerunOnce(
  ports: { store: ObjectStore; queue: TaskQueue; clock: Clock },
  config: PlanConfig,
  rerun: Rerun,
  message: { id: string; deadlineMs?: number },
): Promise<ControlOutcome> {
  const key = controlMarkerKey(message.id);
  const now = ports.clock.now();
  const found = await ports.store.getVersioned(key);
  let marker = found ? parseMarker(found.body) : undefined;
  if (marker?.doneAt && now - Date.parse(marker.firstSeenAt) < CONTROL_DEDUP_MS) {
    return { kind: 'duplicate', firstSeenAt: marker.firstSeenAt };
  }
  if (!marker || marker.doneAt) {
    // New, or the same id long after it was handled: an operator asking again.
    marker = { v: 1, id: message.id, firstSeenAt: new Date(now).toISOString(), started: 0 };
  }
  let version = found?.version ?? null;
  const claim = async (next: ControlMarker): Promise<boolean> => {
    const written = await ports.store.putIf(key, `${JSON.stringify(next)}\n`, version);
    if (written === undefined) return false;
    version = written;
    return true;
  };
  // The fixed order of the message's chains; the window range is cut at the time the message was first seen.
  const starts = rerunStarts(Date.parse(marker.firstSeenAt), config, rerun);
  const resumedAt = marker.started;
  if (!(await claim(marker))) return { kind: 'duplicate', firstSeenAt: marker.firstSeenAt };
  const started: PageTask[] = [];
  for (let i = marker.started; i < starts.length; i += CHECKPOINT_EVERY) {
    if (message.deadlineMs !== undefined && ports.clock.now() >= message.deadlineMs) {
      throw new ControlCheckpointError(
        `control message ${message.id}: ${i} of ${starts.length} chains started; the rest after redelivery`,
      );
    }
    started.push(...(await startChains(starts.slice(i, i + CHECKPOINT_EVERY), ports)));
    marker = { ...marker, started: Math.min(i + CHECKPOINT_EVERY, starts.length) };
    if (!(await claim(marker))) return { kind: 'started', started, resumedAt };
  }
  await claim({ ...marker, doneAt: new Date(ports.clock.now()).toISOString() });
  return { kind: 'started', started, resumedAt };
}

function parseMarker(body: Uint8Array): ControlMarker | undefined {
  try {
    const parsed = ControlMarkerSchema.safeParse(JSON.parse(Buffer.from(body).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
