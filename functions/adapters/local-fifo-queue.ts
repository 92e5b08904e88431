import { chainIdOf, dedupId, type PageTask, parsePageTask } from '../core/page-task.js';
import type { TaskQueue } from '../core/ports.js';

/** How {@link LocalFifoQueue.drain} runs the handler. */
export interface DrainOptions {
  /**
   * Most messages in flight at once (one per group, so also the most chains progressing together): a number,
   * or a limit read before each delivery (an adaptive one, see `AdaptiveLimit`), at least 1.
   */
  concurrency: number | { readonly limit: number };
  /** Receives of a message before it goes to the dead letters (SQS `maxReceiveCount`); default 5. */
  maxReceives?: number;
  /** Delay before a failed message is received again, given its receive count so far (1 after the first). */
  retryDelayMs?: (receive: number) => number;
  /** Stops taking messages; drain rejects with the reason once the handlers in flight have settled. */
  signal?: AbortSignal;
}

/** What a drain did: messages handled successfully, and those that failed `maxReceives` times. */
export interface DrainResult {
  processed: number;
  deadLetters: { task: PageTask; error: unknown }[];
}

/** Counters of a {@link LocalFifoQueue}. */
export interface QueueStats {
  /** Messages accepted. */
  sent: number;
  /** Messages dropped because their dedup id was already accepted. */
  deduplicated: number;
  inFlight: number;
  /** Messages accepted and not yet handled nor in flight (those waiting for a retry included). */
  waiting: number;
}

/** The default retry delay: 50 ms doubling per receive, capped at 2 s. */
export const defaultRetryDelayMs = (receive: number): number => Math.min(2000, 50 * 2 ** (receive - 1));

type Message = { readonly task: PageTask; receives: number };
type Group = { readonly id: string; readonly messages: Message[]; busy: boolean };

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1`);
}

/**
 * An in-process page queue with the semantics of the SQS FIFO queue of the AWS design, for local runs: group
 * = chain id (one message of a chain in flight, in order), dedup = {@link dedupId} (kept for the queue's
 * lifetime rather than SQS's 5 minutes), redelivery after a failure, dead letters after `maxReceives`.
 */
export class LocalFifoQueue implements TaskQueue {
  private readonly groups = new Map<string, Group>();
  private readonly seen = new Set<string>();
  // Groups whose head can be delivered, oldest waiting first: a served group rejoins at the back (round robin).
  private readonly ready: Group[] = [];
  private sent = 0;
  private deduplicated = 0;
  private waiting = 0;
  private inFlight = 0;
  private wake: (() => void) | undefined;

  /**
   * Queues a task, unless its dedup id was already accepted. The task travels as JSON and is validated like
   * an SQS body, so a local run refuses what the worker would refuse, and the sender cannot mutate it later.
   */
  async send(task: PageTask): Promise<void> {
    const parsed = parsePageTask(JSON.stringify(task));
    if (!parsed.ok) throw new Error(parsed.error);
    const id = dedupId(parsed.task);
    if (this.seen.has(id)) {
      this.deduplicated++;
      return;
    }
    this.seen.add(id);
    this.sent++;
    this.waiting++;
    const chain = chainIdOf(parsed.task);
    let group = this.groups.get(chain);
    if (group === undefined) {
      group = { id: chain, messages: [], busy: false };
      this.groups.set(chain, group);
    }
    group.messages.push({ task: parsed.task, receives: 0 });
    // A group that is in flight or waiting to retry rejoins the line when that ends.
    if (group.messages.length === 1 && !group.busy) this.ready.push(group);
    this.wake?.();
  }

  /** The queue's counters. */
  stats(): QueueStats {
    const { sent, deduplicated, inFlight, waiting } = this;
    return { sent, deduplicated, inFlight, waiting };
  }

  /**
   * Delivers messages to `handler` until the queue is empty and nothing is in flight, tasks sent by the
   * handler included. A handler that throws gets the message again later (still first of its group) until
   * `maxReceives`; then it becomes a dead letter and its group goes on.
   */
  async drain(handler: (task: PageTask) => Promise<void>, options: DrainOptions): Promise<DrainResult> {
    const { concurrency, maxReceives = 5, retryDelayMs = defaultRetryDelayMs, signal } = options;
    const limit = () => (typeof concurrency === 'number' ? concurrency : concurrency.limit);
    assertCount('concurrency', limit());
    assertCount('maxReceives', maxReceives);
    if (this.wake !== undefined) throw new Error('this queue is already being drained');
    const result: DrainResult = { processed: 0, deadLetters: [] };
    const retries = new Map<NodeJS.Timeout, Group>();
    let aborted = false;
    return new Promise<DrainResult>((resolve, reject) => {
      const finish = () => {
        this.wake = undefined;
        signal?.removeEventListener('abort', pump);
        // An abort leaves the messages waiting for a retry in the queue, ready for the next drain.
        for (const [timer, group] of retries) {
          clearTimeout(timer);
          this.release(group);
        }
        if (aborted) reject(signal?.reason);
        else resolve(result);
      };
      const settle = (group: Group, head: Message, failure: { error: unknown } | undefined) => {
        this.inFlight--;
        if (failure === undefined) {
          group.messages.shift();
          result.processed++;
        } else if (head.receives >= maxReceives) {
          group.messages.shift();
          result.deadLetters.push({ task: head.task, error: failure.error });
        } else {
          this.waiting++;
          if (!aborted) {
            // The group stays busy until the retry: its later messages must not overtake this one.
            const timer = setTimeout(() => {
              retries.delete(timer);
              this.release(group);
              pump();
            }, retryDelayMs(head.receives));
            retries.set(timer, group);
            pump();
            return;
          }
        }
        this.release(group);
        pump();
      };
      const pump = () => {
        aborted ||= signal?.aborted === true;
        while (!aborted && this.inFlight < Math.max(1, limit())) {
          const group = this.ready.shift();
          const head = group?.messages[0];
          if (group === undefined || head === undefined) break;
          group.busy = true;
          head.receives++;
          this.inFlight++;
          this.waiting--;
          // Through a promise so that a handler throwing synchronously is a failed receive too.
          Promise.resolve()
            .then(() => handler(head.task))
            .then(
              () => settle(group, head, undefined),
              (error: unknown) => settle(group, head, { error }),
            );
        }
        if (this.inFlight === 0 && (aborted || retries.size === 0)) finish();
      };
      this.wake = pump;
      signal?.addEventListener('abort', pump, { once: true });
      pump();
    });
  }

  // Frees a group after a delivery or a retry delay: it rejoins the line if it still has messages.
  private release(group: Group): void {
    group.busy = false;
    if (group.messages.length > 0) this.ready.push(group);
    else this.groups.delete(group.id);
  }
}
