import { buildCall, type CallData } from './call-builder.js';
import { buildCallback, CALLBACK_LOOKBACK_HOURS, type CallbackPlan, callbackPlans } from './callbacks.js';
import { catalogFor } from './catalog.js';
import { gaussian, hashSeed, mulberry32 } from './prng.js';
import { offsetAt } from './time-zone.js';

export const HOUR_MS = 3_600_000;
const MAX_CALLS_PER_BUCKET = 99_999;
// About 2.7 kB per call: the cache holds at most ~400 MB however many calls an hour carries.
const CACHE_CALLS = 150_000;
// Callback plans are small (a few per bucket): enough buckets for every PBX's look-back at once.
const CACHE_PLAN_BUCKETS = 20_000;

/** What the data depends on; nothing else (not the clock, not late-data settings) changes a row. */
export interface DatasetConfig {
  seed: number;
  pbxIds: readonly string[];
  callsPerHour: number;
  trafficZone: string;
}

// Relative traffic by local hour on a weekday; weekends carry a quarter of it.
const WEEKDAY = [
  0.15, 0.15, 0.15, 0.15, 0.15, 0.15, 0.2, 0.6, 2, 2, 2, 2, 1.5, 2, 2, 2, 2, 1.2, 0.6, 0.6, 0.3, 0.3, 0.3,
  0.2,
];
const WEEKEND_FACTOR = 0.25;
const WEEK_MEAN = (WEEKDAY.reduce((a, b) => a + b, 0) * (5 + 2 * WEEKEND_FACTOR)) / (7 * 24);

/**
 * The account's calls, generated lazily per (PBX, hour) bucket from a PRNG seeded by (seed, PBX, hour) and kept in
 * a bounded cache. Call ids are `HHHHHH PP SSSSS` (hour since epoch, PBX index, sequence in the hour): numeric,
 * unique across the account, and pointing back at their bucket. A bucket's own calls come first, in start order;
 * then the callbacks (`callbacks.ts`) that missed calls of the last 48 hours get in this hour, in start order.
 */
export class Dataset {
  private readonly cache = new Map<string, CallData[]>();
  private cachedCalls = 0;
  private readonly plans = new Map<string, CallbackPlan[]>();

  constructor(readonly config: DatasetConfig) {
    if (config.pbxIds.length > 100) throw new Error('the simulator supports at most 100 PBXes');
  }

  /** The calls of one PBX that started in the hour `hour` (hours since the epoch), in start order. */
  bucket(pbxIndex: number, hour: number): CallData[] {
    const key = `${pbxIndex}|${hour}`;
    const hit = this.cache.get(key);
    if (hit) {
      // Re-insert to keep Map order as least-recently-used first.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const calls = this.generate(pbxIndex, hour);
    this.cache.set(key, calls);
    this.cachedCalls += calls.length;
    for (const [oldKey, old] of this.cache) {
      if (this.cachedCalls <= CACHE_CALLS || oldKey === key) break;
      this.cache.delete(oldKey);
      this.cachedCalls -= old.length;
    }
    return calls;
  }

  /** Finds a call by id, or undefined when no such call exists. */
  call(callId: string): CallData | undefined {
    const m = /^(\d{6})(\d{2})(\d{5})$/.exec(callId);
    if (!m) return undefined;
    const pbxIndex = Number(m[2]);
    if (pbxIndex >= this.config.pbxIds.length) return undefined;
    return this.bucket(pbxIndex, Number(m[1]))[Number(m[3])];
  }

  private generate(pbxIndex: number, hour: number): CallData[] {
    const own = this.ownCalls(pbxIndex, hour);
    const pbxId = this.config.pbxIds[pbxIndex];
    if (pbxId === undefined || hour < 0 || hour > 999_999) return own;
    const cat = catalogFor(this.config.seed, pbxId, pbxIndex);
    const due: CallbackPlan[] = [];
    for (let h = hour - CALLBACK_LOOKBACK_HOURS; h <= hour; h++) {
      for (const plan of this.callbackPlansOf(pbxIndex, h, h === hour ? own : undefined)) {
        if (Math.floor(plan.start / HOUR_MS) === hour) due.push(plan);
      }
    }
    due.sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : 1));
    const prefix = `${String(hour).padStart(6, '0')}${String(pbxIndex).padStart(2, '0')}`;
    const seq = (i: number) => `${prefix}${String(own.length + i).padStart(5, '0')}`;
    const room = Math.max(0, MAX_CALLS_PER_BUCKET + 1 - own.length);
    return [
      ...own,
      ...due.slice(0, room).map((plan, i) => buildCallback(this.config.seed, cat, plan, seq(i))),
    ];
  }

  /** The callbacks that the own calls of one bucket get, memoized: built from those calls once. */
  private callbackPlansOf(pbxIndex: number, hour: number, own?: CallData[]): CallbackPlan[] {
    const key = `${pbxIndex}|${hour}`;
    const hit = this.plans.get(key);
    if (hit) return hit;
    const pbxId = this.config.pbxIds[pbxIndex];
    if (pbxId === undefined) return [];
    // A cached bucket holds callbacks too: they are outgoing, so they plan no callback of their own.
    const calls = own ?? this.cache.get(key) ?? this.ownCalls(pbxIndex, hour);
    const { seed, trafficZone } = this.config;
    const plans = callbackPlans(seed, catalogFor(seed, pbxId, pbxIndex), calls, trafficZone);
    if (this.plans.size >= CACHE_PLAN_BUCKETS) this.plans.clear();
    this.plans.set(key, plans);
    return plans;
  }

  /** The calls of a bucket that are not callbacks: they depend on nothing but the seed, the PBX and the hour. */
  private ownCalls(pbxIndex: number, hour: number): CallData[] {
    const { seed, pbxIds, callsPerHour } = this.config;
    const pbxId = pbxIds[pbxIndex];
    if (pbxId === undefined || hour < 0 || hour > 999_999) return [];
    const rng = mulberry32(hashSeed(seed, pbxId, hour));
    const mean = callsPerHour * (this.weight(hour) / WEEK_MEAN);
    const n = Math.max(0, Math.min(MAX_CALLS_PER_BUCKET, Math.round(mean + Math.sqrt(mean) * gaussian(rng))));
    const starts = Array.from({ length: n }, () => hour * HOUR_MS + Math.floor(rng() * HOUR_MS)).sort(
      (a, b) => a - b,
    );
    const cat = catalogFor(seed, pbxId, pbxIndex);
    const prefix = `${String(hour).padStart(6, '0')}${String(pbxIndex).padStart(2, '0')}`;
    return starts.map((start, i) =>
      buildCall(rng, seed, cat, `${prefix}${String(i).padStart(5, '0')}`, start),
    );
  }

  private weight(hour: number): number {
    const at = hour * HOUR_MS;
    const local = new Date(at + offsetAt(this.config.trafficZone, at));
    const day = local.getUTCDay();
    const w = WEEKDAY[local.getUTCHours()] ?? 1;
    return day === 0 || day === 6 ? w * WEEKEND_FACTOR : w;
  }
}
