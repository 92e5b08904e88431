import { distinctUsers, type Journey, MIN, outside, S, voicemailOf } from './journeys.js';
import type { LegSpec, Party } from './leg-factory.js';
import { serviceParty, userParty } from './leg-factory.js';
import { logUniform, pick, randInt } from './prng.js';

/** Journeys through PBX routing: transfers, and call queues with child legs. */

/** Answered, then transferred on (transferToCallId) one to three times; the last hop may go to voicemail. */
export function transfer({ rng, cat, start, callId }: Journey): LegSpec[] {
  const from = outside(rng);
  const hops = distinctUsers(rng, cat.users, randInt(rng, 2, 4));
  const legs: LegSpec[] = [];
  let t = start;
  let lra: string | undefined;
  hops.forEach((person, i) => {
    const base = { from, direction: 'Incoming' as const, lra: lra ?? person.ext, lraType: lra ? 2 : 1 };
    const ring = t + randInt(rng, 2 * S, 15 * S);
    const last = i === hops.length - 1;
    if (last && rng() < 0.25) {
      const vmConnect = ring + randInt(rng, 20, 200);
      const vmEnd = vmConnect + logUniform(rng, 3 * S, 2 * MIN);
      legs.push({
        ...base,
        legId: i + 1,
        start: t,
        connect: 0,
        disconnect: ring,
        to: userParty(person),
        outcome: 'missed',
      });
      legs.push({
        ...base,
        legId: i + 2,
        start: ring,
        connect: vmConnect,
        disconnect: vmEnd,
        to: voicemailOf(person.ext, person.name),
        outcome: 'voicemail',
      });
      return;
    }
    const end = ring + logUniform(rng, last ? 5 * S : 10 * S, last ? 30 * MIN : 10 * MIN);
    const transferToCallId = last ? null : callId;
    legs.push({
      ...base,
      legId: i + 1,
      start: t,
      connect: ring,
      disconnect: end,
      to: userParty(person),
      outcome: 'answered',
      transferToCallId,
    });
    t = end;
    lra = person.ext;
  });
  return legs;
}

/** A call queue: agents are offered the call (child legs) until one answers or the caller hangs up (abandoned). */
export function queue({ rng, cat, start, callId }: Journey): LegSpec[] {
  const q = pick(rng, cat.queues);
  const from = outside(rng);
  const aaPath = rng() < 0.5 ? 'Main Menu>2' : '';
  const base = { from, direction: 'Incoming' as const, aaPath, lra: q.ext, lraType: 4 };
  const qConnect = start + randInt(rng, 100, 400);
  const wait = logUniform(rng, 5 * S, 30 * MIN);
  const qEnd = qConnect + wait;
  const abandoned = rng() < 0.3;
  const agents = distinctUsers(rng, cat.users, randInt(rng, abandoned ? 0 : 1, 4));
  const answering = abandoned ? undefined : agents.pop();
  const legs: LegSpec[] = agents.map((agent, j) => {
    const offered = qConnect + Math.floor((wait * (j + 1)) / (agents.length + 2));
    const disconnect = Math.min(offered + randInt(rng, 10 * S, 15 * S), qEnd);
    return {
      ...base,
      legId: j + 2,
      parentCallId: callId,
      start: offered,
      connect: 0,
      disconnect,
      to: userParty(agent),
      outcome: 'missed' as const,
    };
  });
  if (answering) {
    const talkEnd = qEnd + logUniform(rng, 10 * S, 40 * MIN);
    const offered = qEnd - randInt(rng, 2 * S, 8 * S);
    const to: Party = userParty(answering);
    legs.push({
      ...base,
      legId: legs.length + 2,
      parentCallId: callId,
      start: Math.max(offered, qConnect),
      connect: qEnd,
      disconnect: talkEnd,
      to,
      outcome: 'answered',
    });
  }
  const queueParty = serviceParty(q.ext, q.name, 'ACDOperatorService');
  const outcome = abandoned ? 'abandoned' : 'routed';
  legs.unshift({ ...base, legId: 1, start, connect: qConnect, disconnect: qEnd, to: queueParty, outcome });
  return legs;
}
