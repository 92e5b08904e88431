import * as z from 'zod/mini';
import type { ChainDone } from './chain-step.js';
import { stagingKey } from './lake-keys.js';
import { type PageTask, PageTaskSchema, taskWindow } from './page-task.js';
import type { ObjectStore } from './ports.js';
import './zod.js';

/**
 * What a task decided, kept beside its staged page (`page-00001.next.json`) before the decision is acted on.
 * A task delivered again (SQS is at-least-once; a worker may crash after queuing the next page but before its
 * message is deleted) replays the decision instead of fetching the page again: no extra API request, and the
 * next cursor stays the one already sent.
 */
const count = z.int().check(z.nonnegative());
const MarkerSchema = z.strictObject({
  rows: count,
  dropped: count,
  next: z.optional(PageTaskSchema),
  done: z.optional(
    z.strictObject({
      pages: count,
      rows: count,
      dropped: count,
      before: count,
      quarantined: count,
      mismatched: count,
      firstPageTotal: count,
      lastTotal: z.optional(count),
      endedEarly: z.optional(z.boolean()),
    }),
  ),
});

export type PageMarker = { rows: number; dropped: number } & ({ next: PageTask } | { done: ChainDone });

export function markerKey(task: PageTask): string {
  return stagingKey(task.table, taskWindow(task), task.chain, task.page).replace(/\.json\.gz$/, '.next.json');
}

/** The recorded decision of a task, if an earlier delivery made one; an unreadable marker counts as none. */
export async function readMarker(store: ObjectStore, task: PageTask): Promise<PageMarker | undefined> {
  const body = await store.get(markerKey(task));
  if (!body) return undefined;
  try {
    const parsed = MarkerSchema.safeParse(JSON.parse(Buffer.from(body).toString('utf8')));
    if (!parsed.success) return undefined;
    const { rows, dropped, next, done } = parsed.data;
    if (next) return { rows, dropped, next };
    if (done) return { rows, dropped, done };
    return undefined;
  } catch {
    return undefined;
  }
}

export async function writeMarker(store: ObjectStore, task: PageTask, marker: PageMarker): Promise<void> {
  await store.put(markerKey(task), JSON.stringify(marker));
}
