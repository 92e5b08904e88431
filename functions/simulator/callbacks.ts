import type { CallData } from './call-builder.js';
import { recordOf } from './call-record.js';
import type { PbxCatalog, Person } from './catalog.js';
import { MIN, S } from './journeys.js';
import { type LegSpec, makeLeg, userParty } from './leg-factory.js';
import { hashSeed, logUniform, mulberry32, pick, randInt } from './prng.js';
import { offsetAt } from './time-zone.js';

/**
 * Callbacks: a call centre rings some of its missed callers back. A missed or abandoned inbound call from an
 * outside number is called back with probability CALLBACK_RATE, by the extension that was rung (a ring group
 * member, the user whose phone rang) or, for a queue call no agent was offered, by one of the PBX's users: an
 * outgoing call to the caller's number, usually within the hour, sometimes the next business morning, now and
 * then after more than a day. Callbacks are calls of their own (never called back themselves), in the hour bucket
 * they start in.
 */
export const CALLBACK_RATE = 0.6;
/** A callback starts at most this long after the missed call: a bucket only looks this far back for them. */
export const CALLBACK_LOOKBACK_HOURS = 48;
const HOUR_MS = 3_600_000;
const HOURS_OPEN = { from: 8, to: 18 };

/** One callback to place: when it starts, who rings whom, and the key of its own random stream. */
export interface CallbackPlan {
  start: number;
  agent: Person;
  number: string;
  name: string;
  key: string;
}

/** The callbacks the calls of one bucket get (in any later bucket), in the order of those calls. */
export function callbackPlans(
  seed: number,
  cat: PbxCatalog,
  calls: readonly CallData[],
  trafficZone: string,
): CallbackPlan[] {
  const plans: CallbackPlan[] = [];
  for (const call of calls) {
    const r = call.record;
    const missed = r.direction === 'Incoming' && (r.missed === 'Missed' || r.abandoned === 'Abandoned');
    if (!missed || !r.caller.startsWith('+')) continue;
    const key = `${call.pbxId}|${r.startTimeUTC}|${r.caller}`;
    const rng = mulberry32(hashSeed(seed, 'callback', key));
    if (rng() >= CALLBACK_RATE) continue;
    const rung = cat.users.filter((u) => call.legs.some((l) => l.callee === u.ext && l.missed === 'Missed'));
    const agent = rung.length > 0 ? pick(rng, rung) : pick(rng, cat.users);
    const kind = rng();
    const delay =
      kind < 0.7
        ? logUniform(rng, 2 * MIN, 4 * HOUR_MS)
        : kind < 0.9
          ? logUniform(rng, 4 * HOUR_MS, 20 * HOUR_MS)
          : logUniform(rng, 20 * HOUR_MS, 36 * HOUR_MS);
    const start = openHours(rng, r.disconnectedTimeUTC + delay, trafficZone);
    if (start - r.startTimeUTC > CALLBACK_LOOKBACK_HOURS * HOUR_MS) continue;
    plans.push({ start, agent, number: r.caller, name: r.callerName, key });
  }
  return plans;
}

/** Nobody calls back at night: a callback due outside opening hours moves to the next morning. */
function openHours(rng: () => number, at: number, zone: string): number {
  const offset = offsetAt(zone, at);
  const local = at + offset;
  const hour = new Date(local).getUTCHours();
  if (hour >= HOURS_OPEN.from && hour < HOURS_OPEN.to) return at;
  const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
  const morning = dayStart + (hour >= HOURS_OPEN.to ? 24 : 0) * HOUR_MS + HOURS_OPEN.from * HOUR_MS;
  return morning - offset + randInt(rng, 0, 90 * MIN);
}

/** The callback call itself: one outgoing leg from the agent to the caller, answered three times in four. */
export function buildCallback(seed: number, cat: PbxCatalog, plan: CallbackPlan, callId: string): CallData {
  const rng = mulberry32(hashSeed(seed, 'callback-call', plan.key));
  const from = userParty(plan.agent);
  const to = { number: plan.number, name: plan.name, svcName: null, svcType: null };
  const answered = rng() < 0.75;
  const connect = answered ? plan.start + randInt(rng, 4 * S, 25 * S) : 0;
  const disconnect = answered
    ? connect + logUniform(rng, 20 * S, 15 * MIN)
    : plan.start + randInt(rng, 15 * S, 35 * S);
  const spec: LegSpec = {
    legId: 1,
    start: plan.start,
    connect,
    disconnect,
    from,
    to,
    direction: 'Outgoing',
    outcome: answered ? 'answered' : 'busy',
  };
  const legs = [makeLeg(rng, { callId, pbxId: cat.pbxId, dnis: cat.dnis }, spec)];
  const record = recordOf(legs, null);
  const lateDraw = hashSeed(seed, 'late', callId) / 4294967296;
  return { callId, pbxId: cat.pbxId, legs, record, endMs: record.disconnectedTimeUTC, lateDraw };
}
