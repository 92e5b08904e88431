import { describe, expect, it } from 'vitest';
import { defaultRetryDelayMs, LocalFifoQueue } from '../../../functions/adapters/local-fifo-queue.js';
import { chainIdOf, firstPageTask, type PageTask } from '../../../functions/core/page-task.js';

/** Page `page` of the chain of window hour `hour` (each hour is its own chain, so its own group). */
function task(hour: number, page = 1): PageTask {
  const first = firstPageTask({
    table: 'call-legs',
    window: `20261127T${String(hour).padStart(2, '0')}00Z-60m`,
    pbx: 'allpbxes',
    attempt: 1,
    chain: 'k3x9q0w2m1zp',
    pageSize: 1000,
    isConnectTime: false,
    isSimplified: false,
  });
  if (page === 1) return first;
  return { ...first, page, scrollId: 'c2Nyb2xs', firstPageTotal: 9000, rowsSoFar: (page - 1) * 1000 };
}

const label = (t: PageTask) => `${t.window.slice(9, 11)}:${t.page}`;
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 2));
const quickRetry = () => 1;

/** Runs a handler that records each delivery and the most messages in flight at once, overall and per group. */
function recorder(work: (t: PageTask) => Promise<void> = tick) {
  const seen: string[] = [];
  const perGroup = new Map<string, number>();
  let now = 0;
  let max = 0;
  let maxPerGroup = 0;
  const handler = async (t: PageTask) => {
    const group = chainIdOf(t);
    const inGroup = (perGroup.get(group) ?? 0) + 1;
    perGroup.set(group, inGroup);
    maxPerGroup = Math.max(maxPerGroup, inGroup);
    max = Math.max(max, ++now);
    seen.push(label(t));
    try {
      await work(t);
    } finally {
      now--;
      perGroup.set(group, inGroup - 1);
    }
  };
  return { handler, seen, max: () => max, maxPerGroup: () => maxPerGroup };
}

describe('LocalFifoQueue', () => {
  it('resolves an empty drain at once', async () => {
    await expect(new LocalFifoQueue().drain(tick, { concurrency: 3 })).resolves.toEqual({
      processed: 0,
      deadLetters: [],
    });
  });

  it('delivers the messages of a group in order, one at a time', async () => {
    const queue = new LocalFifoQueue();
    for (const page of [1, 2, 3, 4, 5]) await queue.send(task(1, page));
    const r = recorder();
    await expect(queue.drain(r.handler, { concurrency: 4 })).resolves.toEqual({
      processed: 5,
      deadLetters: [],
    });
    expect(r.seen).toEqual(['01:1', '01:2', '01:3', '01:4', '01:5']);
    expect(r.maxPerGroup()).toBe(1);
  });

  it('runs groups in parallel up to the concurrency, never more, one message per group', async () => {
    const queue = new LocalFifoQueue();
    for (let hour = 0; hour < 8; hour++) for (const page of [1, 2, 3]) await queue.send(task(hour, page));
    const r = recorder();
    expect((await queue.drain(r.handler, { concurrency: 5 })).processed).toBe(24);
    expect(r.max()).toBe(5);
    expect(r.maxPerGroup()).toBe(1);
    for (let hour = 0; hour < 8; hour++) {
      const h = String(hour).padStart(2, '0');
      expect(r.seen.filter((s) => s.startsWith(h))).toEqual([`${h}:1`, `${h}:2`, `${h}:3`]);
    }
  });

  it('serves groups round-robin, oldest waiting first', async () => {
    const queue = new LocalFifoQueue();
    for (const [hour, page] of [
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
      [3, 1],
      [3, 2],
    ] as const) {
      await queue.send(task(hour, page));
    }
    const r = recorder();
    await queue.drain(r.handler, { concurrency: 1 });
    expect(r.seen).toEqual(['01:1', '02:1', '03:1', '01:2', '02:2', '03:2']);
  });

  it('drops a message whose dedup id was already accepted', async () => {
    const queue = new LocalFifoQueue();
    await queue.send(task(1));
    await queue.send(task(1));
    await queue.send(task(1, 2));
    expect(queue.stats()).toEqual({ sent: 2, deduplicated: 1, inFlight: 0, waiting: 2 });
    const r = recorder();
    await queue.drain(r.handler, { concurrency: 2 });
    await queue.send(task(1, 2));
    expect(r.seen).toEqual(['01:1', '01:2']);
    expect(queue.stats()).toEqual({ sent: 2, deduplicated: 2, inFlight: 0, waiting: 0 });
  });

  it('redelivers a failed message before the rest of its group, then goes on', async () => {
    const queue = new LocalFifoQueue();
    await queue.send(task(1, 1));
    await queue.send(task(1, 2));
    let failures = 2;
    const delays: number[] = [];
    const r = recorder(async (t) => {
      if (t.page === 1 && failures-- > 0) throw new Error('503');
    });
    const retryDelayMs = (receive: number) => {
      delays.push(receive);
      return 1;
    };
    await expect(queue.drain(r.handler, { concurrency: 2, retryDelayMs })).resolves.toEqual({
      processed: 2,
      deadLetters: [],
    });
    expect(r.seen).toEqual(['01:1', '01:1', '01:1', '01:2']);
    expect(delays).toEqual([1, 2]);
  });

  it('dead-letters a message after maxReceives and unblocks its group', async () => {
    const queue = new LocalFifoQueue();
    for (const t of [task(1, 1), task(1, 2), task(2, 1)]) await queue.send(t);
    const boom = new Error('always');
    const r = recorder(async (t) => {
      if (label(t) === '01:1') throw boom;
    });
    const result = await queue.drain(r.handler, { concurrency: 2, maxReceives: 3, retryDelayMs: quickRetry });
    expect(result).toEqual({ processed: 2, deadLetters: [{ task: task(1, 1), error: boom }] });
    expect(r.seen.filter((s) => s === '01:1')).toHaveLength(3);
    expect(r.seen.indexOf('01:2')).toBeGreaterThan(r.seen.lastIndexOf('01:1'));
  });

  it('drains the tasks the handler sends while draining', async () => {
    const queue = new LocalFifoQueue();
    await queue.send(task(1));
    await queue.send(task(2));
    const r = recorder(async (t) => {
      await tick();
      if (t.page < 4) await queue.send(task(Number(t.window.slice(9, 11)), t.page + 1));
    });
    expect((await queue.drain(r.handler, { concurrency: 2 })).processed).toBe(8);
    expect(r.seen.filter((s) => s.startsWith('01'))).toEqual(['01:1', '01:2', '01:3', '01:4']);
    expect(queue.stats()).toEqual({ sent: 8, deduplicated: 0, inFlight: 0, waiting: 0 });
  });

  it('stops on abort once the handlers in flight settle, keeping the rest for the next drain', async () => {
    const queue = new LocalFifoQueue();
    for (const page of [1, 2, 3]) await queue.send(task(1, page));
    const controller = new AbortController();
    const r = recorder(async (t) => {
      if (t.page === 1) controller.abort(new Error('stop'));
      await tick();
    });
    await expect(queue.drain(r.handler, { concurrency: 1, signal: controller.signal })).rejects.toThrow(
      'stop',
    );
    expect(queue.stats()).toMatchObject({ inFlight: 0, waiting: 2 });
    await queue.drain(r.handler, { concurrency: 1 });
    expect(r.seen).toEqual(['01:1', '01:2', '01:3']);
  });

  it('refuses a task the worker would refuse, and a second drain at once', async () => {
    const queue = new LocalFifoQueue();
    await expect(queue.send({ ...task(1), token: 'x' } as PageTask)).rejects.toThrow(/never carry a token/);
    await queue.send(task(1));
    const first = queue.drain(tick, { concurrency: 1 });
    await expect(queue.drain(tick, { concurrency: 1 })).rejects.toThrow(/already being drained/);
    await first;
  });

  it('backs off 50 ms doubling up to 2 s by default', () => {
    expect([1, 2, 3, 6, 7, 20].map(defaultRetryDelayMs)).toEqual([50, 100, 200, 1600, 2000, 2000]);
  });
});

describe('LocalFifoQueue with an adaptive limit', () => {
  it('keeps as many chains in flight as the limit says at each delivery', async () => {
    const queue = new LocalFifoQueue();
    for (let hour = 0; hour < 12; hour++) await queue.send(task(hour));
    const limit = { limit: 2 };
    const inFlight: number[] = [];
    let now = 0;
    const releases: (() => void)[] = [];
    const drained = queue.drain(
      async () => {
        inFlight.push(++now);
        await new Promise<void>((resolve) => releases.push(resolve));
        now--;
      },
      { concurrency: limit },
    );
    const settle = async () => {
      for (let i = 0; i < 5; i++) await Promise.resolve();
    };
    await settle();
    expect(releases.length).toBe(2);
    limit.limit = 5; // raised: the next settled delivery fills up to 5
    releases.shift()?.();
    await settle();
    expect(releases.length).toBe(5);
    limit.limit = 1; // halved twice: nothing new starts until a single one is left in flight
    for (let i = 0; i < 3; i++) releases.shift()?.();
    await settle();
    expect(releases.length).toBe(2);
    releases.shift()?.();
    await settle();
    expect(releases.length).toBe(1);
    while (releases.length > 0) {
      releases.shift()?.();
      await settle();
    }
    await expect(drained).resolves.toMatchObject({ processed: 12 });
    expect(Math.max(...inFlight)).toBe(5);
  });
});
